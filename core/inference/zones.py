"""Create-stage rules that lay out subnets: one per zone (one per region on GCE), plus one per extra network CIDR."""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule


def all_zones(ctx: InferenceContext) -> list[str]:
    """Every zone named by ``--zones`` and ``--control-plane-zones``, sorted and unique (as upstream)."""
    return sorted(set(ctx.options.zones) | set(ctx.options.control_plane_zones))


def find_subnet(ctx: InferenceContext, name: str) -> dict[str, Any] | None:
    return next((s for s in ctx.subnets() if s.get("name") == name), None)


def zone_in_group_name(ctx: InferenceContext, zone: str) -> str:
    """The zone as the names of the groups made for it carry it (``nodes-<zone>``): see
    :meth:`kops.cloud.CloudProvider.group_name_for_zone`."""
    return ctx.cloud.group_name_for_zone(zone) if ctx.cloud is not None else zone


def zone_subnets(ctx: InferenceContext) -> dict[str, list[dict[str, Any]]]:
    """Zone -> the subnets created for it, main subnet first (kept on the context for later rules)."""
    return ctx.__dict__.setdefault("_zone_subnets", {})


@rule("create", 30)
def subnets_per_zone(ctx: InferenceContext) -> None:
    o = ctx.options
    if not o.zones:
        raise KopsError("--zones: must name at least one zone for the cluster")
    mapping = zone_subnets(ctx)
    cloud = ctx.cloud
    for zone in all_zones(ctx):
        region = cloud.region_for_zone(zone) if cloud else ""
        if cloud and cloud.regional_subnets:
            subnet = find_subnet(ctx, region)
            if subnet is None:
                subnet = {"name": region, "region": region}
                if o.subnet_ids:
                    if len(o.subnet_ids) != 1:
                        raise KopsError(f"--subnets: {ctx.cloud_name} subnets are regional, so give exactly one "
                                        f"(got {len(o.subnet_ids)})")
                    subnet["id"] = o.subnet_ids[0]
                ctx.subnets().append(subnet)
            mapping.setdefault(zone, []).append(subnet)
            continue
        subnet = find_subnet(ctx, zone)
        if subnet is None:
            subnet = {"name": zone, "zone": zone}
            if o.egress:
                subnet["egress"] = o.egress
            ctx.subnets().append(subnet)
        mapping.setdefault(zone, []).append(subnet)

    # Offline, shared subnets cannot be matched to zones by asking the cloud: pair them in order.
    if o.subnet_ids and not (cloud and cloud.regional_subnets):
        _assign_ids(ctx, o.subnet_ids, "--subnets", lambda s: s.get("type") != "Utility")

    for i, cidr in enumerate(o.network_cidrs[1:]):
        zone = o.zones[i % len(o.zones)]
        name = f"{zone}-{i + 1}"
        subnet = find_subnet(ctx, name)
        if subnet is None:
            subnet = {"name": name, "zone": zone, "cidr": cidr}
            if o.egress:
                subnet["egress"] = o.egress
            ctx.subnets().append(subnet)
        mapping.setdefault(zone, []).append(subnet)


def _assign_ids(ctx: InferenceContext, ids: list[str], flag: str, wanted: Any) -> None:
    subnets = [s for s in ctx.subnets() if wanted(s) and "zone" in s]
    zones = sorted({s["zone"] for s in subnets})
    if len(ids) > len(zones):
        raise KopsError(f"{flag}: {len(ids)} subnets given for {len(zones)} zones; give at most one per zone")
    for zone, subnet_id in zip(zones, ids, strict=False):
        for s in subnets:
            if s["zone"] == zone and s["name"] in (zone, f"utility-{zone}"):
                s["id"] = subnet_id


def assign_utility_ids(ctx: InferenceContext) -> None:
    if ctx.options.utility_subnet_ids:
        _assign_ids(ctx, ctx.options.utility_subnet_ids, "--utility-subnets", lambda s: s.get("type") == "Utility")
