"""``complete_cluster``: the user's cluster spec completed into what every component is configured from.

Upstream kOps computes this at update time and stores it as ``cluster-completed.spec``; nodes and
add-ons read the completed spec, never the user's. The user's own tree is never modified, and no value
the user set is changed: every rule only fills what is empty.
"""

from __future__ import annotations

import copy
from typing import Any

from kops.inference.base import InferenceContext, run_stage

API_VERSION = "kops.k8s.io/v1alpha2"


def complete_cluster(cluster: dict[str, Any], instance_groups: list[dict[str, Any]], cloud: Any, channel: Any,
                     warnings: list[str] | None = None) -> dict[str, Any]:
    """The completed Cluster tree: the assign stage, then the complete stage, over a copy of ``cluster``.

    ``cloud`` is the cloud driver (:class:`kops.cloud.CloudProvider`) and ``channel`` the release channel
    (:class:`kops.channels.Channel`); either may be None. Messages about what could not be completed
    offline are appended to ``warnings`` when given.
    """
    completed = copy.deepcopy(cluster)
    completed["apiVersion"] = API_VERSION
    completed["kind"] = "Cluster"
    ctx = InferenceContext(cluster=completed, instance_groups=copy.deepcopy(instance_groups), cloud=cloud,
                           channel=channel)
    run_stage("assign", ctx)
    run_stage("complete", ctx)
    if warnings is not None:
        warnings.extend(ctx.warnings)
    return completed
