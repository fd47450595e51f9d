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


@rule("complete", 112)
def autoscaler_priorities(ctx: InferenceContext) -> None:
    """Without a table of the user's own, the priority expander ranks node groups by their ``autoscalePriority``
    (0 when unset), as upstream: each priority lists the Auto Scaling group names of the groups that have it."""
    p = "spec.clusterAutoscaler"
    if not ctx.get(f"{p}.enabled") or ctx.get(f"{p}.expander") != "priority":
        return
    table: dict[str, list[str]] = {}
    for group in ctx.groups_with_role("Node"):
        spec = group.get("spec") or {}
        if spec.get("autoscale") is not False:
            priority = str(spec.get("autoscalePriority") or 0)
            table.setdefault(priority, []).append(f"{group['metadata']['name']}.{ctx.name}")
    if table:
        ctx.default(f"{p}.customPriorityExpanderConfig", table)


def rules() -> list[Any]:
    return [metrics_server, autoscaler_priorities]
