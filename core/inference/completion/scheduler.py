"""Complete-stage rule for kube-scheduler."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import kubernetes_image


@rule("complete", 70)
def kube_scheduler(ctx: InferenceContext) -> None:
    p = "spec.kubeScheduler"
    ctx.default(p, {})
    ctx.default(f"{p}.logLevel", 2)
    image = kubernetes_image(ctx, "kube-scheduler")
    if image:
        ctx.default(f"{p}.image", image)
    ctx.default(f"{p}.leaderElection.leaderElect", True)
