"""Assign-stage rules: values fixed once and kept stable afterwards (upstream's PerformAssignments).

They run at creation (after ``--set``/``--unset``) and again before every update, so they only
fill what is empty: a CIDR, once assigned, never moves.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule

DEFAULT_NON_MASQUERADE_CIDR = "100.64.0.0/10"


@rule("assign", 10)
def etcd_backups(ctx: InferenceContext) -> None:
    for cluster in ctx.spec.get("etcdClusters") or []:
        manager = cluster.get("manager")
        if manager is None:
            manager = cluster["manager"] = {}
        manager.setdefault("backupRetentionDays", 90)


@rule("assign", 20)
def network_cidr(ctx: InferenceContext) -> None:
    """A new network gets the cloud's default CIDR; a shared one (networkID) keeps what the cloud has."""
    if ctx.cloud is None or not ctx.cloud.default_network_cidr or ctx.spec.get("networkCIDR"):
        return
    if ctx.spec.get("networkID"):
        ctx.warnings.append(f"networkCIDR: not set for the shared network {ctx.spec['networkID']}; it is read from "
                            "the cloud at update time (set --network-cidr to record it now)")
        return
    ctx.spec["networkCIDR"] = ctx.cloud.default_network_cidr
    if "amazonvpc" in (ctx.spec.get("networking") or {}) and ctx.spec.get("nonMasqueradeCIDR") != "::/0":
        # The Amazon VPC CNI gives pods addresses from the VPC itself.
        ctx.spec["nonMasqueradeCIDR"] = ctx.spec["networkCIDR"]


@rule("assign", 21)
def non_masquerade_cidr(ctx: InferenceContext) -> None:
    ctx.default("spec.nonMasqueradeCIDR", DEFAULT_NON_MASQUERADE_CIDR)


@rule("assign", 22)
def api_public_name(ctx: InferenceContext) -> None:
    """With public DNS the API is reached at ``api.<cluster name>``."""
    if ctx.get("spec.topology.dns.type") == "Public" and not ctx.name.endswith(".k8s.local"):
        ctx.default("spec.masterPublicName", "api." + ctx.name)


@rule("assign", 30)
def subnet_cidrs(ctx: InferenceContext) -> None:
    """Carve subnet CIDRs out of the network CIDR: one large block per subnet that holds instances, and
    the first block split eight ways for the small utility subnets (load balancers, NAT gateways). A shared
    subnet (``id``) without a CIDR is never carved: it has the one the cloud gave it, which the update reads."""
    if ctx.cloud is None or not ctx.cloud.assigns_subnet_cidrs:
        return
    subnets = [(i, s) for i, s in enumerate(ctx.subnets()) if _has_cidr(s) or not s.get("id")]
    if all(_has_cidr(s) for _, s in subnets):
        return
    cidr = ctx.spec.get("networkCIDR")
    if not cidr:
        return  # a shared network whose CIDR only the cloud knows: assigned at update time
    network = _parse(cidr, "spec.networkCIDR")
    big: list[dict[str, Any]] = []
    little: list[dict[str, Any]] = []
    reserved: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for i, s in subnets:
        if s.get("cidr"):
            own = _parse(s["cidr"], f"spec.subnets[{i}].cidr")
            if own.network_address not in network:
                continue  # lives in an additional network CIDR
            reserved.append(own)
        kind = s.get("type")
        if kind in ("DualStack", "Public", "Private"):
            big.append(s)
        elif kind == "Utility":
            little.append(s)
        else:
            raise KopsError(f"spec.subnets[{i}].type: subnet {s.get('name')!r} has unknown type {kind!r}")
    big.sort(key=lambda s: s.get("zone", ""))
    little.sort(key=lambda s: s.get("zone", ""))
    count = len(big) + (1 if little else 0)
    bits = 0 if count <= 1 else 1 if count <= 2 else 2 if count <= 4 else 3
    blocks = [b for b in network.subnets(prefixlen_diff=bits) if not any(b.overlaps(r) for r in reserved)]
    if not blocks:
        raise KopsError("spec.subnets: no free block left in the network CIDR to assign subnet CIDRs from")
    if little:
        small = list(blocks.pop(0).subnets(prefixlen_diff=3))
        for s in little:
            if s.get("cidr"):
                continue
            if not small:
                raise KopsError(f"spec.subnets: not enough room for a CIDR for utility subnet {s.get('name')!r}")
            s["cidr"] = str(small.pop(0))
    for s in big:
        if _has_cidr(s):
            continue
        if not blocks:
            raise KopsError(f"spec.subnets: not enough room in {cidr} for a CIDR for subnet {s.get('name')!r}")
        s["cidr"] = str(blocks.pop(0))


def _has_cidr(s: dict[str, Any]) -> bool:
    # IPv6-only private subnets need no IPv4 block.
    return bool(s.get("cidr")) or bool(s.get("ipv6CIDR") and s.get("type") == "Private")


def _parse(text: str, path: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise KopsError(f"{path}: invalid CIDR {text!r}") from exc


@rule("assign", 40)
def kubernetes_version(ctx: InferenceContext) -> None:
    if not ctx.spec.get("kubernetesVersion") and ctx.channel is not None:
        recommended = ctx.channel.recommended_kubernetes_version()
        if recommended:
            ctx.spec["kubernetesVersion"] = recommended
