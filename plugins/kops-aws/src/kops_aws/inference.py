"""AWS inference rules, contributed to core through the ``kops_inference_rules`` hook."""

from __future__ import annotations

from kops.inference import InferenceContext, Rule, rule


@rule("create", 71, clouds=("aws",))
def network_load_balancer(ctx: InferenceContext) -> None:
    """On AWS the API load balancer is a Network Load Balancer unless the user chose otherwise."""
    lb = ctx.get("spec.api.loadBalancer")
    if lb is not None:
        lb.setdefault("class", "Network")


def rules() -> list[Rule]:
    return [network_load_balancer]
