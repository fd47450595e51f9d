"""Complete-stage defaults of the add-ons, filled only for the add-ons the user enabled and never over the
user's own values, so ``kops get cluster --full`` shows what each add-on will run."""

from __future__ import annotations

from typing import Any

from kops.inference.base import InferenceContext, rule


@rule("complete", 111)
def metrics_server(ctx: InferenceContext) -> None:
    from kops_addons.versions import METRICS_SERVER_IMAGE

    p = "spec.metricsServer"
    if not ctx.get(f"{p}.enabled"):
        return
    ctx.default(f"{p}.image", METRICS_SERVER_IMAGE)
    # Upstream's manifest serves insecurely unless told otherwise; say so in the completed spec.
    ctx.default(f"{p}.insecure", True)


def rules() -> list[Any]:
    return [metrics_server]
