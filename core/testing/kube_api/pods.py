"""Pods and nodes as the API server, the scheduler and kubelets see them: defaults a created pod is given, when a
pod counts as ready, active or terminating, which taints its tolerations allow, and the status a running pod
reports. Plain functions on the stored dicts, shared by the server and the controller simulation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
#: The priorities of the two built-in priority classes, which the Priority admission plugin fills in.
SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
#: Added to every pod by the DefaultTolerationSeconds admission plugin.
DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]
#: Tolerations the DaemonSet controller adds to its pods, so they run on cordoned, pressured and unready nodes.
DAEMONSET_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def rfc3339(offset: float = 0.0) -> str:
    """The wall-clock time ``offset`` seconds from now, as timestamps in objects are written."""
    return (datetime.now(UTC) + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), None)


def set_condition(obj: dict[str, Any], kind: str, status: str, reason: str = "", message: str = "") -> None:
    """Set a condition; its transition time changes only when its status does, as the real writers keep it."""
    conditions = obj.setdefault("status", {}).setdefault("conditions", [])
    found = condition(obj, kind)
    if found is None:
        found = {"type": kind}
        conditions.append(found)
    if found.get("status") != status:
        found["lastTransitionTime"] = rfc3339()
    found["status"] = status
    for field, value in (("reason", reason), ("message", message)):
        if value:
            found[field] = value
        else:
            found.pop(field, None)


def is_ready(obj: dict[str, Any]) -> bool:
    """A pod (or node) is ready when its ``Ready`` condition is True: what budgets count as healthy."""
    found = condition(obj, "Ready")
    return found is not None and found.get("status") == "True"


def is_terminating(obj: dict[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def is_terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def is_active(pod: dict[str, Any]) -> bool:
    """Counted by its controller: neither finished nor being deleted."""
    return not is_terminating(pod) and not is_terminal(pod)


def is_mirror(pod: dict[str, Any]) -> bool:
    return MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


def controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The owner reference marked ``controller``."""
    return next((ref for ref in (obj.get("metadata") or {}).get("ownerReferences") or [] if ref.get("controller")),
                None)


def owner_name(obj: dict[str, Any]) -> str:
    ref = controller_of(obj)
    return f"{ref.get('kind')}/{ref.get('name')}" if ref else ""


def owner_reference(owner: dict[str, Any]) -> dict[str, Any]:
    """A controller reference to ``owner``, as controllers write them on what they create."""
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    """Whether any toleration matches ``taint``: same key (or none, with Exists), same value (unless Exists),
    same effect (or none)."""
    for toleration in tolerations:
        if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
            continue
        if toleration.get("key") and toleration["key"] != taint.get("key"):
            continue
        operator = toleration.get("operator") or "Equal"
        if operator == "Exists" or operator == "Equal" and toleration.get("value", "") == taint.get("value", ""):
            return True
    return False


def untolerated(pod_spec: dict[str, Any], node: dict[str, Any], effects: tuple[str, ...]) -> list[dict[str, Any]]:
    """The node's taints with one of ``effects`` that the pod does not tolerate."""
    tolerations = pod_spec.get("tolerations") or []
    return [t for t in (node.get("spec") or {}).get("taints") or []
            if t.get("effect") in effects and not tolerates(tolerations, t)]


def selects_node(pod_spec: dict[str, Any], node: dict[str, Any]) -> bool:
    """Whether the pod's ``nodeSelector`` matches the node's labels."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    return all(labels.get(k) == v for k, v in (pod_spec.get("nodeSelector") or {}).items())


def default_pod(pod: dict[str, Any]) -> None:
    """What the API server fills in on a created pod: spec defaults, admission's priority and tolerations, and a
    fresh ``Pending`` status (a client cannot create a pod already running)."""
    spec = pod.setdefault("spec", {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("securityContext", {})
    if spec.get("priorityClassName") in SYSTEM_PRIORITIES:
        spec.setdefault("priority", SYSTEM_PRIORITIES[spec["priorityClassName"]])
    spec.setdefault("priority", 0)
    tolerations = spec.setdefault("tolerations", [])
    for default in DEFAULT_TOLERATIONS:
        if not any(t.get("key") == default["key"] and t.get("effect") == default["effect"] for t in tolerations):
            tolerations.append(dict(default))
    for container in spec.get("containers") or []:
        container.setdefault("imagePullPolicy", "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
    pod["status"] = {"phase": "Pending", "qosClass": "BestEffort"}


def pod_problems(pod: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What validation refuses in a pod, as (field, cause, message)."""
    problems = []
    containers = (pod.get("spec") or {}).get("containers")
    if not containers:
        problems.append(("spec.containers", "FieldValueRequired", "Required value"))
    for index, container in enumerate(containers or []):
        for field in ("name", "image"):
            if not container.get(field):
                problems.append((f"spec.containers[{index}].{field}", "FieldValueRequired", "Required value"))
    return problems


def run(pod: dict[str, Any], node: dict[str, Any], pod_ip: str) -> None:
    """The status a kubelet reports once the pod's containers have started and passed their readiness checks."""
    now, host_ip = rfc3339(), internal_ip(node)
    uid = pod["metadata"]["uid"]
    status = pod.setdefault("status", {})
    status.update({"phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}] if host_ip else [],
                   "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "startTime": now})
    for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"):
        set_condition(pod, kind, "True")
    status["containerStatuses"] = [
        {"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": True, "started": True,
         "restartCount": 0, "containerID": "containerd://" + sha256(f"{uid}/{c.get('name')}".encode()).hexdigest(),
         "state": {"running": {"startedAt": now}}, "lastState": {}}
        for c in (pod.get("spec") or {}).get("containers") or []]


def set_ready(pod: dict[str, Any], ready: bool) -> None:
    """A readiness probe passing or failing: the pod's ``Ready`` and ``ContainersReady`` conditions and its
    containers' ``ready`` flags follow."""
    value, reason = ("True", "") if ready else ("False", "ContainersNotReady")
    names = [c.get("name") for c in (pod.get("status") or {}).get("containerStatuses") or []]
    message = "" if ready else f"containers with unready status: [{' '.join(str(n) for n in names)}]"
    for kind in ("Ready", "ContainersReady"):
        set_condition(pod, kind, value, reason, message)
    for container in (pod.get("status") or {}).get("containerStatuses") or []:
        container["ready"] = ready


def fail(pod: dict[str, Any], reason: str) -> None:
    """The pod's containers exited with an error and will not restart: phase ``Failed``, not ready."""
    set_ready(pod, False)
    status = pod.setdefault("status", {})
    status.update({"phase": "Failed", "reason": reason})
    for container in status.get("containerStatuses") or []:
        container["state"] = {"terminated": {"exitCode": 1, "reason": reason, "finishedAt": rfc3339()}}
        container["started"] = False


def report_ready(node: dict[str, Any], ready: bool) -> None:
    """A node's kubelet reporting Ready, or no longer reporting at all (the node controller then says Unknown)."""
    if ready:
        set_condition(node, "Ready", "True", "KubeletReady", "kubelet is posting ready status")
    else:
        set_condition(node, "Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")


def internal_ip(node: dict[str, Any]) -> str:
    return next((a["address"] for a in (node.get("status") or {}).get("addresses") or []
                 if a.get("type") == "InternalIP"), "")

