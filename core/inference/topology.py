"""Create-stage rules for topology and DNS: subnet types, utility and dual-stack subnets, the bastion."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule
from kops.inference.zones import all_zones, assign_utility_ids

DNS_TYPES = {"public": "Public", "private": "Private", "none": "None"}


def topology_of(ctx: InferenceContext) -> str:
    """``--topology``, defaulting to private for IPv6 clusters and public otherwise."""
    topology = (ctx.options.topology or ("private" if ctx.options.ipv6 else "public")).lower()
    if topology not in ("public", "private"):
        raise KopsError(f"--topology: invalid value {ctx.options.topology!r} (expected public or private)")
    return topology


def publishes_dns(ctx: InferenceContext) -> bool:
    return ctx.get("spec.topology.dns.type") in ("Public", "Private") and not ctx.name.endswith(".k8s.local")


@rule("create", 40)
def dns(ctx: InferenceContext) -> None:
    """``--dns``: public when a DNS zone is given, else none (gossip-free, load-balancer based)."""
    o = ctx.options
    kind = (o.dns_type or "").lower()
    if not kind:
        kind = "public" if o.dns_zone else "none"
    if kind not in DNS_TYPES:
        raise KopsError(f"--dns: unknown DNS type {o.dns_type!r} (expected public, private or none)")
    ctx.spec.setdefault("topology", {})["dns"] = {"type": DNS_TYPES[kind]}


@rule("create", 41)
def subnet_types(ctx: InferenceContext) -> None:
    o = ctx.options
    topology = topology_of(ctx)
    if topology == "public":
        if o.bastion:
            raise KopsError("--bastion: a bastion needs --topology private")
        for s in ctx.subnets():
            s["type"] = "Public"
        return
    if "kubenet" in (ctx.get("spec.networking") or {}):
        raise KopsError(f"--networking {o.networking}: kubenet does not support private topology")
    for s in ctx.subnets():
        s["type"] = "Private"
    private = [s for s in ctx.subnets() if s["type"] == "Private"]
    if o.ipv6:
        for s in private:
            ctx.subnets().append(_derived(s, "dualstack-", "DualStack"))
    if ctx.cloud is None or ctx.cloud.utility_subnets:
        for s in private:
            ctx.subnets().append(_derived(s, "utility-", "Utility"))
        assign_utility_ids(ctx)


def _derived(subnet: dict, prefix: str, kind: str) -> dict:
    derived = {"name": prefix + subnet["name"], "type": kind}
    for key in ("zone", "region"):
        if key in subnet:
            derived[key] = subnet[key]
    return derived


@rule("create", 42)
def bastion(ctx: InferenceContext) -> None:
    o = ctx.options
    if not o.bastion or topology_of(ctx) != "private":
        return
    spec: dict = {"role": "Bastion", "minSize": 1, "maxSize": 1}
    if publishes_dns(ctx):
        ctx.spec["topology"]["bastion"] = {"bastionPublicName": "bastion." + ctx.name}
    if o.ipv6:
        spec["subnets"] = [s["name"] for s in ctx.subnets() if s.get("type") == "DualStack"]
    if ctx.cloud is not None and ctx.cloud.instance_groups_list_zones:
        spec["zones"] = all_zones(ctx)
    if o.bastion_image:
        spec["image"] = o.bastion_image
    ctx.__dict__.setdefault("_bastions", []).append(("bastions", spec))


@rule("create", 43)
def ipv6(ctx: InferenceContext) -> None:
    """IPv6 clusters: no masquerading, an external cloud controller, and a /64 per subnet where the cloud supports
    IPv6."""
    if not ctx.options.ipv6:
        return
    ctx.spec["nonMasqueradeCIDR"] = "::/0"
    ctx.spec.setdefault("cloudControllerManager", {})
    if ctx.cloud_has("supports_ipv6"):
        for i, s in enumerate(ctx.subnets()):
            s["ipv6CIDR"] = f"/64#{i:x}"
    else:
        ctx.warnings.append(f"IPv6 is not supported on {ctx.cloud_name}")
