"""Draining a node before its machine goes, as upstream's rolling update drains (``kubectl drain`` with
``--ignore-daemonsets --delete-emptydir-data --force``):

- the node is cordoned (``spec.unschedulable``), so nothing new lands on it;
- every pod on it is evicted through the Eviction API, so PodDisruptionBudgets are honoured: an eviction refused
  with 429 (a budget allows no disruption now) is tried again every few seconds until the drain's timeout;
- pods a drain leaves alone: DaemonSet pods (their controller would put them back) and mirror pods (the kubelet
  runs them from its static manifests), as upstream;
- the drain ends when no evictable pod is left on the node.

``sleep`` and ``clock`` are injected so tests decide how time passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kops.errors import KopsError
from kops.kube import TIMEOUT

#: The taint upstream puts on every node a rolling update will replace, so new pods prefer other nodes.
UPDATE_TAINT = "kops.k8s.io/scheduled-for-update"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
#: Seconds between tries of an eviction a budget refused, as upstream.
EVICTION_RETRY = 5.0


class DrainError(KopsError):
    """A node could not be drained within its timeout."""


def evictable(pod: Any) -> bool:
    """Whether a drain evicts the pod: not a DaemonSet's, not a mirror pod, not already finished or going."""
    owners = pod.metadata.owner_references or []
    if any(o.kind == "DaemonSet" for o in owners):
        return False
    if MIRROR_ANNOTATION in (pod.metadata.annotations or {}):
        return False
    if pod.metadata.deletion_timestamp is not None:
        return False
    return not (pod.status and pod.status.phase in ("Succeeded", "Failed"))


class Drainer:
    def __init__(self, api_client: Any, *, timeout: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = lambda _: None):
        from kubernetes import client

        self.core = client.CoreV1Api(api_client)
        self.timeout = timeout
        self._sleep, self._clock, self._say = sleep, clock, say

    def taint(self, node: Any) -> None:
        """Mark a node for replacement (``PreferNoSchedule``), unless it is already cordoned or marked."""
        if node.spec.unschedulable or any(t.key == UPDATE_TAINT for t in node.spec.taints or []):
            return
        taints = [{"key": t.key, "value": t.value, "effect": t.effect} for t in node.spec.taints or []]
        self._patch_node(node.metadata.name, {"spec": {"taints": [*taints, {"key": UPDATE_TAINT,
                                                                             "effect": "PreferNoSchedule"}]}})

    def cordon(self, name: str) -> None:
        self._patch_node(name, {"spec": {"unschedulable": True}})

    def drain(self, name: str) -> None:
        """Cordon the node, then evict its pods until none a drain evicts is left (see the module docstring)."""
        from kubernetes import client

        self.cordon(name)
        deadline = self._clock() + self.timeout
        while True:
            pods = [p for p in self.core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={name}",
                                                                     _request_timeout=TIMEOUT).items
                    if evictable(p)]
            if not pods:
                return
            refused = []
            for pod in pods:
                body = client.V1Eviction(api_version="policy/v1", kind="Eviction",
                                         metadata=client.V1ObjectMeta(name=pod.metadata.name,
                                                                  namespace=pod.metadata.namespace))
                try:
                    self.core.create_namespaced_pod_eviction(pod.metadata.name, pod.metadata.namespace, body,
                                                             _request_timeout=TIMEOUT)
                except client.ApiException as exc:
                    if exc.status == 404:
                        continue  # gone already
                    if exc.status != 429:
                        raise DrainError(f"node {name}: evicting {pod.metadata.namespace}/{pod.metadata.name}: "
                                         f"{exc.status} {exc.reason}") from exc
                    refused.append(f"{pod.metadata.namespace}/{pod.metadata.name}")
            if self._clock() >= deadline:
                left = refused or [f"{p.metadata.namespace}/{p.metadata.name}" for p in pods]
                raise DrainError(f"node {name}: not drained within {self.timeout:.0f}s: {', '.join(left[:5])} "
                                 "still there (a PodDisruptionBudget allows no disruption?)")
            if refused:
                self._say(f"node {name}: a disruption budget holds {', '.join(refused[:3])}; trying again")
            self._sleep(EVICTION_RETRY if refused else 1.0)

    def _patch_node(self, name: str, patch: dict[str, Any]) -> None:
        from kubernetes import client

        try:
            self.core.patch_node(name, patch, _request_timeout=TIMEOUT)
        except client.ApiException as exc:
            if exc.status != 404:  # a node that is gone needs no cordon
                raise
