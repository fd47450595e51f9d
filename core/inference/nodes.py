"""Create-stage rules for worker groups: nodes per zone (or one Karpenter group) and API-server groups."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule
from kops.inference.control_plane import _sizes
from kops.inference.zones import zone_in_group_name, zone_subnets


def _spread(total: int, zones: list[str]) -> list[int]:
    """Split ``total`` instances over the zones, the first zones taking the remainder."""
    per, extra = divmod(total, len(zones))
    return [per + (1 if i < extra else 0) for i in range(len(zones))]


@rule("create", 60)
def node_groups(ctx: InferenceContext) -> None:
    o = ctx.options
    manager = (o.instance_manager or "cloudgroups").lower()
    if manager == "karpenter":
        if not o.discovery_store:
            raise KopsError("--instance-manager karpenter: needs --discovery-store")
        ctx.spec["karpenter"] = {"enabled": True}
        spec: dict = {"role": "Node", "manager": "Karpenter"}
        if o.node_count > 0:
            spec["minSize"] = o.node_count
        if o.node_sizes:
            spec["machineType"] = o.node_sizes[0]
        if len(o.node_sizes) > 1:
            spec["mixedInstancesPolicy"] = {"instances": list(o.node_sizes)}
        ctx.add_instance_group("nodes", spec)
        return
    if manager != "cloudgroups":
        raise KopsError(f"--instance-manager: invalid value {o.instance_manager!r} (expected cloudgroups or karpenter)")
    if o.node_count < 0:
        raise KopsError("--node-count: must not be negative")
    mapping = zone_subnets(ctx)
    for zone, count in zip(o.zones, _spread(o.node_count or len(o.zones), o.zones), strict=True):
        subnets = mapping[zone]
        # A zone's main subnet may be small; extra network CIDRs are for workers.
        names = [s["name"] for s in (subnets[1:] if len(subnets) > 1 else subnets)]
        spec = {"role": "Node", "minSize": count, "maxSize": count, "subnets": names}
        if ctx.cloud is not None and ctx.cloud.instance_groups_list_zones:
            spec["zones"] = [zone]
        _sizes(ctx, spec, o.node_sizes)
        if o.node_image:
            spec["image"] = o.node_image
        ctx.add_instance_group("nodes-" + zone_in_group_name(ctx, zone), spec)


@rule("create", 61)
def api_server_groups(ctx: InferenceContext) -> None:
    """Dedicated API-server groups (``--api-server-count``), spread over the zones like nodes."""
    o = ctx.options
    if not o.api_server_count:
        return
    if len(o.api_server_sizes) > 1:
        raise KopsError("--api-server-size: give one machine type")
    mapping = zone_subnets(ctx)
    for zone, count in zip(o.zones, _spread(o.api_server_count, o.zones), strict=True):
        spec: dict = {"role": "APIServer", "minSize": count, "maxSize": count,
                      "subnets": [s["name"] for s in mapping[zone]]}
        if ctx.cloud is not None and ctx.cloud.instance_groups_list_zones:
            spec["zones"] = [zone]
        if o.api_server_sizes:
            spec["machineType"] = o.api_server_sizes[0]
        ctx.add_instance_group("apiserver-" + zone_in_group_name(ctx, zone), spec)


@rule("create", 62)
def bastion_group(ctx: InferenceContext) -> None:
    """Bastions come last among the groups, as upstream lists them."""
    for name, spec in ctx.__dict__.pop("_bastions", []):
        ctx.add_instance_group(name, spec)
