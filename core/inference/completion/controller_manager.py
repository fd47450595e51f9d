"""Complete-stage rule for kube-controller-manager: identity, pod ranges and the cloud's routes."""

from __future__ import annotations

import ipaddress

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import cloud_routes, kops_controller_ipam, kubernetes_image


@rule("complete", 60)
def kube_controller_manager(ctx: InferenceContext) -> None:
    p = "spec.kubeControllerManager"
    kcm = ctx.default(p, {})
    # kops pins the volume attach/detach reconcile loop to once a minute rather than leave it to the binary.
    ctx.default(f"{p}.attachDetachReconcileSyncPeriod", "1m0s")
    ctx.default(f"{p}.clusterName", ctx.name)
    ctx.default(f"{p}.cloudProvider", "external")
    ctx.default(f"{p}.logLevel", 2)
    image = kubernetes_image(ctx, "kube-controller-manager")
    if image:
        ctx.default(f"{p}.image", image)
    ctx.default(f"{p}.leaderElection.leaderElect", True)
    ipam = kops_controller_ipam(ctx)
    # When kops-controller assigns pod ranges, the controller manager must not.
    ctx.default(f"{p}.allocateNodeCIDRs", not ipam)
    if not ipam and ctx.spec.get("podCIDR"):
        ctx.default(f"{p}.clusterCIDR", ctx.spec["podCIDR"])
    _ipv6_node_mask(ctx, kcm)
    routes = cloud_routes(ctx)
    if routes is not None:
        ctx.default(f"{p}.configureCloudRoutes", routes)
    if ctx.get("spec.networking.gce") is not None:
        # GCE IP aliases: the cloud controller manager allocates pod ranges.
        ctx.default(f"{p}.allocateNodeCIDRs", False)
    ctx.default(f"{p}.useServiceAccountCredentials", True)
    if ipam and not kcm.get("controllers"):
        kcm["controllers"] = ["*", "-nodeipam"]


def _ipv6_node_mask(ctx: InferenceContext, kcm: dict) -> None:
    """An IPv6 cluster range is split in half for nodes, but a node never gets more than a /(range+16)."""
    cidr = kcm.get("clusterCIDR")
    if not cidr or ":" not in str(cidr):
        return
    size = ipaddress.ip_network(cidr, strict=False).prefixlen
    ctx.default("spec.kubeControllerManager.nodeCIDRMaskSize", size + min((128 - size) // 2, 16))
