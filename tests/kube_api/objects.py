"""Small builders of the objects the tests create, and the official client's name for a strategic merge patch."""

from __future__ import annotations

from typing import Any

STRATEGIC = "application/strategic-merge-patch+json"


def pod(name: str, labels: dict[str, str] | None = None, node: str = "", grace: int | None = None,
        namespace: str = "default") -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}]}
    if node:
        spec["nodeName"] = node
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                                            "labels": labels or {}}, "spec": spec}


def workload(kind: str, name: str, replicas: int | None = None, namespace: str = "default",
             **pod_spec: Any) -> dict[str, Any]:
    """A Deployment, ReplicaSet or DaemonSet of pause containers labelled ``app: NAME``."""
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "template": {
        "metadata": {"labels": {"app": name}},
        "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}],
                 "terminationGracePeriodSeconds": 0, **pod_spec}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def budget(name: str, app: str, namespace: str = "default", **limits: Any) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {"matchLabels": {"app": app}}, **limits}}


def eviction(name: str, namespace: str = "default", **delete_options: Any) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": namespace},
            **({"deleteOptions": delete_options} if delete_options else {})}
