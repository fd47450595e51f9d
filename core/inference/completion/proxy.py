"""Complete-stage rule for kube-proxy."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import kops_controller_ipam, kubernetes_image


@rule("complete", 80)
def kube_proxy(ctx: InferenceContext) -> None:
    p = "spec.kubeProxy"
    ctx.default(p, {})
    ctx.default(f"{p}.logLevel", 2)
    ctx.default(f"{p}.cpuRequest", "100m")
    image = kubernetes_image(ctx, "kube-proxy")
    if image:
        ctx.default(f"{p}.image", image)
    # kube-proxy tells pod traffic from the rest by the pod range, when there is one cluster-wide range
    # (not with kops-controller's per-node ranges, nor with pods on VPC addresses).
    cluster_cidr = ctx.get("spec.kubeControllerManager.clusterCIDR")
    if cluster_cidr and not kops_controller_ipam(ctx) and ctx.get("spec.networking.amazonvpc") is None:
        ctx.default(f"{p}.clusterCIDR", cluster_cidr)
