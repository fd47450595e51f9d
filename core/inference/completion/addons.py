"""Complete-stage rules for optional add-ons with settings in the cluster spec: cluster-autoscaler and
node-problem-detector. Each is completed only when the user asked for it."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import require_version
from kops.inference.versions_data import (
    CLUSTER_AUTOSCALER_BY_MINOR,
    CLUSTER_AUTOSCALER_LATEST,
    NODE_PROBLEM_DETECTOR_IMAGE,
)

CLUSTER_AUTOSCALER_DEFAULTS = {
    "expander": "random",
    "ignoreDaemonSetsUtilization": False,
    "scaleDownUtilizationThreshold": "0.5",
    "skipNodesWithCustomControllerPods": True,
    "skipNodesWithLocalStorage": True,
    "skipNodesWithSystemPods": True,
    "balanceSimilarNodeGroups": False,
    "emitPerNodegroupMetrics": False,
    "awsUseStaticInstanceList": False,
    "newPodScaleUpDelay": "0s",
    "scaleDownDelayAfterAdd": "10m0s",
    "scaleDownUnneededTime": "10m0s",
    "scaleDownUnreadyTime": "20m0s",
    "maxNodeProvisionTime": "15m0s",
}


@rule("complete", 110)
def cluster_autoscaler(ctx: InferenceContext) -> None:
    p = "spec.clusterAutoscaler"
    if not ctx.get(f"{p}.enabled"):
        return
    minor = require_version(ctx).minor
    ctx.default(f"{p}.image", CLUSTER_AUTOSCALER_BY_MINOR.get(minor, CLUSTER_AUTOSCALER_LATEST))
    for key, value in CLUSTER_AUTOSCALER_DEFAULTS.items():
        ctx.default(f"{p}.{key}", value)
    if ctx.get(f"{p}.expander") == "priority":
        # The priority expander reads its priorities from a ConfigMap kops writes from the groups' priorities.
        ctx.default(f"{p}.createPriorityExpanderConfig", True)


@rule("complete", 110)
def node_problem_detector(ctx: InferenceContext) -> None:
    p = "spec.nodeProblemDetector"
    if ctx.spec.get("nodeProblemDetector") is None:
        return
    ctx.default(f"{p}.enabled", False)
    ctx.default(f"{p}.cpuRequest", "20m")
    ctx.default(f"{p}.memoryRequest", "100Mi")
    ctx.default(f"{p}.memoryLimit", "100Mi")
    ctx.default(f"{p}.image", NODE_PROBLEM_DETECTOR_IMAGE)
