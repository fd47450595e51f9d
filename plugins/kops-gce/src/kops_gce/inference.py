"""GCE inference rules, contributed to core through the ``kops_inference_rules`` hook."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference import InferenceContext, Rule, rule

from kops_gce.network import (
    ALIAS_NODE_PREFIX,
    ALIAS_POD_PREFIX,
    ALIAS_SERVICE_PREFIX,
    GCE_RANGE,
    SUBNET_PREFIX,
    RangeAllocator,
    uses_ip_aliases,
)


@rule("create", 17, clouds=("gce",))
def project_and_service_account(ctx: InferenceContext) -> None:
    """A new GCE cluster names its project (``--project``, else gcloud's configured one) and the service account
    its VMs run as (``--gce-service-account``); ``cloudConfig`` is always written, empty or not."""
    from kops_gce.project import default_project

    o = ctx.options
    cloud_config = ctx.spec.setdefault("cloudConfig", {})
    project = (o.project or "").strip() or default_project()
    if project:
        ctx.spec["project"] = project
    else:
        ctx.warnings.append("spec.project: no --project given and gcloud has no default project; set one with "
                            "--project (or later with kops edit cluster) before creating cloud resources")
    if o.gce_service_account:
        cloud_config["gceServiceAccount"] = o.gce_service_account


@rule("assign", 15, clouds=("gce",))
def network_ranges(ctx: InferenceContext) -> None:
    """Give subnets (and, with IP aliases, pods and services) ranges from 10.0.0.0/8, as upstream does.

    Upstream also avoids the ranges of subnets already in a shared network (``networkID``); that needs the cloud,
    so here only the ranges the spec itself names are avoided, and a shared network gets a warning.
    """
    subnets = ctx.subnets()
    spec = ctx.spec
    if uses_ip_aliases(spec.get("networking")):
        if len(subnets) != 1:
            raise KopsError(f"spec.subnets: GCE IP aliases (networking gce or kindnet) need exactly one subnet, "
                            f"found {len(subnets)}")
        subnet = subnets[0]
        if spec.get("podCIDR") and spec.get("serviceClusterIPRange") and subnet.get("cidr"):
            return
        allocator = RangeAllocator(v for v in (spec.get("podCIDR"), spec.get("serviceClusterIPRange"),
                                               subnet.get("cidr")) if v)
        _warn_shared(ctx)
        if not spec.get("podCIDR"):
            spec["podCIDR"] = allocator.allocate(ALIAS_POD_PREFIX, "spec.podCIDR")
        if not spec.get("serviceClusterIPRange"):
            spec["serviceClusterIPRange"] = allocator.allocate(ALIAS_SERVICE_PREFIX, "spec.serviceClusterIPRange")
        if not subnet.get("cidr"):
            subnet["cidr"] = allocator.allocate(ALIAS_NODE_PREFIX, "spec.subnets[0].cidr")
        # Pods are reachable from anywhere in the network's private range, which has no CIDR of its own.
        ctx.default("spec.nonMasqueradeCIDR", str(GCE_RANGE))
        return
    wanting = [s for s in subnets if not s.get("id") and not s.get("cidr")]
    if not wanting:
        return
    allocator = RangeAllocator(s["cidr"] for s in subnets if s.get("cidr"))
    _warn_shared(ctx)
    for s in wanting:
        s["cidr"] = allocator.allocate(SUBNET_PREFIX, f"spec.subnets[{subnets.index(s)}].cidr")


def _warn_shared(ctx: InferenceContext) -> None:
    if ctx.spec.get("networkID"):
        ctx.warnings.append(f"spec.subnets: ranges were chosen without reading the shared network "
                            f"{ctx.spec['networkID']!r}'s existing subnets; check that they do not overlap")


def rules() -> list[Rule]:
    return [project_and_service_account, network_ranges]
