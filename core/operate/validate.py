"""``kops validate cluster``: whether the cluster is what its spec asks for, as upstream's ``pkg/validation`` judges it.

A cluster is valid when every node is Ready, every instance group has at least its minimum of Ready nodes, every
machine of the cloud has joined as a node, and every kube-system pod the cluster cannot run without (priority class
``system-cluster-critical`` or ``system-node-critical``) is running with all its containers ready. Each problem is
a :class:`Failure` naming its kind and object, with upstream's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops.cloud import CloudInstanceGroup
from kops.kube import TIMEOUT
from kops.model import API_SERVER, CONTROL_PLANE, role_of

CRITICAL_CLASSES = ("system-cluster-critical", "system-node-critical")
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
ZONE_LABEL = "topology.kubernetes.io/zone"


@dataclass(frozen=True)
class Failure:
    #: ``Node``, ``InstanceGroup``, ``Machine`` or ``Pod``.
    type: str
    name: str
    message: str


@dataclass(frozen=True)
class NodeStatus:
    name: str
    role: str
    zone: str
    #: ``True`` when Ready, as the node's condition says it.
    status: str


@dataclass
class Result:
    failures: list[Failure] = field(default_factory=list)
    nodes: list[NodeStatus] = field(default_factory=list)
    groups: list[CloudInstanceGroup] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {"failures": [vars(f) for f in self.failures], "nodes": [vars(n) for n in self.nodes]}


def ready(node: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in (node.status.conditions or []) if node.status)


def validate(groups: list[CloudInstanceGroup], api_client: Any, max_unready_nodes: int = 0,
             control_plane_only: bool = False) -> Result:
    """Judge the cluster from its cloud groups (machines joined with their nodes, see :mod:`kops.instances`) and its
    API. Up to ``max_unready_nodes`` nodes (not of the control plane) may be not Ready. ``control_plane_only``
    judges only the control plane's groups and nodes, and no pods: whether the API is served (``reconcile``)."""
    from kubernetes import client

    core = client.CoreV1Api(api_client)
    if control_plane_only:
        groups = [g for g in groups if role_of(g.instance_group) in (CONTROL_PLANE, API_SERVER)]
    result = Result(groups=groups)
    nodes = core.list_node(_request_timeout=TIMEOUT).items
    if control_plane_only:
        nodes = [n for n in nodes if CONTROL_PLANE_LABEL in (n.metadata.labels or {})]
    unready_allowed = max_unready_nodes
    for node in sorted(nodes, key=lambda n: n.metadata.name):
        labels = node.metadata.labels or {}
        role = "control-plane" if CONTROL_PLANE_LABEL in labels else "node"
        is_ready = ready(node)
        result.nodes.append(NodeStatus(node.metadata.name, role, labels.get(ZONE_LABEL, ""), str(is_ready)))
        if not is_ready:
            if role == "node" and unready_allowed > 0:
                unready_allowed -= 1
                continue
            result.failures.append(Failure("Node", node.metadata.name,
                                           f"node {node.metadata.name!r} of role {role!r} is not ready"))
    for group in groups:
        if group.instance_group.spec.role == "Bastion":
            continue
        joined = [i for i in group.instances if i.node is not None and ready(i.node)]
        if len(joined) < group.min_size:
            result.failures.append(Failure("InstanceGroup", group.name,
                                           f"InstanceGroup {group.name!r} did not have enough nodes {len(joined)} "
                                           f"vs {group.min_size}"))
        for instance in group.instances:
            if instance.node is None and not instance.detached:
                result.failures.append(Failure("Machine", instance.id,
                                               f"machine {instance.id!r} has not yet joined cluster"))
    if control_plane_only:
        return result
    pods = core.list_namespaced_pod("kube-system", _request_timeout=TIMEOUT).items
    for pod in sorted(pods, key=lambda p: p.metadata.name):
        priority = pod.spec.priority_class_name if pod.spec else None
        if priority not in CRITICAL_CLASSES or pod.metadata.deletion_timestamp is not None:
            continue
        problem = _pod_problem(pod)
        if problem:
            result.failures.append(Failure("Pod", f"kube-system/{pod.metadata.name}",
                                           f"{priority} pod {pod.metadata.name!r} {problem}"))
    return result


def _pod_problem(pod: Any) -> str | None:
    phase = pod.status.phase if pod.status else None
    if phase == "Succeeded":
        return None
    if phase == "Pending":
        return "is pending"
    if phase != "Running":
        return f"is {str(phase or 'unknown').lower()}"
    waiting = [s.name for s in (pod.status.container_statuses or []) if not s.ready]
    if waiting or not pod.status.container_statuses:
        return f"is not ready ({', '.join(waiting) or 'no container reported'})"
    return None
