"""The rest of a cluster, simulated just enough for workloads to behave as on a real one while a client drains and
replaces nodes: what kube-controller-manager, kube-scheduler and the kubelets would do, each as one small step.

- Kubelets: a pod bound to a Ready node starts (Running, Ready) ``pod_start_delay`` seconds later; a terminating
  pod is removed once its containers have stopped; static pods get mirror pods, recreated when deleted.
- Scheduler: a pending pod goes to a Ready, schedulable node whose taints it tolerates and whose labels match its
  ``nodeSelector``; nodes with an untolerated ``PreferNoSchedule`` taint (kOps marks nodes it will replace so) only
  when nothing else fits, then the least loaded.
- Node lifecycle: the ``node.kubernetes.io/unschedulable`` taint follows ``spec.unschedulable``, and
  ``node.kubernetes.io/not-ready`` or ``unreachable`` a node that is not Ready.
- Deployments own one ReplicaSet per pod template (older ones scaled to zero); ReplicaSets keep their count of
  active pods, creating replacements at once when a pod is evicted, deleted or fails; DaemonSets keep one pod on
  every node they fit, cordoned ones included (their pods tolerate that), as the real controller does.
- Garbage collection: pods of a node that is gone, and objects whose owners are all gone.
- Status: workloads' counts and disruption budgets' health, as their controllers write them.

Every step is idempotent; :meth:`FakeKubeAPI._settle` repeats them until nothing changes.
"""

from __future__ import annotations

import copy
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from . import disruption, pods
from .errors import ApiError
from .pods import controller_of, is_active, is_ready, is_terminating, untolerated
from .selectors import label_selector_matches

if TYPE_CHECKING:
    from .server import FakeKubeAPI

_HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _name(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["name"])


def _uid(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["uid"])


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("spec") or {}


class Controllers:
    def __init__(self, api: FakeKubeAPI):
        self.api = api
        self.pod, self.node = api.kind("v1", "Pod"), api.kind("v1", "Node")
        self.deployment, self.replica_set = api.kind("apps/v1", "Deployment"), api.kind("apps/v1", "ReplicaSet")
        self.daemon_set = api.kind("apps/v1", "DaemonSet")
        self.budget = api.kind("policy/v1", "PodDisruptionBudget")
        #: When each pending pod (by uid) was first seen bound to a Ready node.
        self._bound_at: dict[str, float] = {}
        self._addresses = 0

    def reconcile(self) -> None:
        self._finish_terminations()
        self._collect_garbage()
        self._node_taints()
        self._deployments()
        self._replica_sets()
        self._daemon_sets()
        self._mirror_pods()
        self._schedule()
        self._start_pods()
        self._workload_statuses()
        self._budget_statuses()

    # --- kubelets -------------------------------------------------------------------------------------

    def _nodes(self) -> dict[str, dict[str, Any]]:
        return {_name(n): n for n in self.api._items(self.node)}

    def _finish_terminations(self) -> None:
        """A terminating pod goes once its containers have stopped, which its kubelet confirms (so not while its
        node is down)."""
        now, nodes = self.api.clock(), self._nodes()
        for pod in self.api._items(self.pod):
            due = self.api._stops.get(_uid(pod))
            node = nodes.get(_spec(pod).get("nodeName", ""))
            if is_terminating(pod) and due is not None and now >= due and node is not None and is_ready(node):
                self.api._remove(self.pod, pod["metadata"]["namespace"], _name(pod))

    def _start_pods(self) -> None:
        now, nodes = self.api.clock(), self._nodes()
        for pod in self.api._items(self.pod):
            node = nodes.get(_spec(pod).get("nodeName", ""))
            if node is None or not is_ready(node) or is_terminating(pod) or \
                    (pod.get("status") or {}).get("phase") != "Pending":
                continue
            bound = self._bound_at.setdefault(_uid(pod), now)
            if now - bound >= self.api.pod_start_delay:
                self._bound_at.pop(_uid(pod))
                address = self._address(pod, node)
                self.api._modify(self.pod, pod["metadata"]["namespace"], _name(pod), pods.run, node, address)

    def _address(self, pod: dict[str, Any], node: dict[str, Any]) -> str:
        """The pod's IP: its node's for host-network pods, else the next from the pod network."""
        if _spec(pod).get("hostNetwork"):
            return pods.internal_ip(node)
        self._addresses += 1
        return f"100.96.{self._addresses // 250}.{self._addresses % 250 + 2}"

    def _mirror_pods(self) -> None:
        """Each static pod of an existing node has a running mirror pod ``NAME-NODE``, made again when deleted."""
        for node_name, manifests in self.api.static_pods.items():
            node = self.api._find(self.node, "", node_name)
            if node is None:
                continue
            for name, manifest in manifests.items():
                namespace = manifest["metadata"].get("namespace", "default")
                pod_name = f"{name}-{node_name}"
                if self.api._find(self.pod, namespace, pod_name) is not None:
                    continue
                mirror = copy.deepcopy(manifest)
                config_hash = sha256(repr(sorted(manifest.items())).encode()).hexdigest()[:32]
                mirror["metadata"].update(name=pod_name, namespace=namespace, ownerReferences=[
                    {"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": _uid(node), "controller": True}])
                mirror["metadata"]["annotations"] = {
                    **(manifest["metadata"].get("annotations") or {}), pods.MIRROR_ANNOTATION: config_hash,
                    "kubernetes.io/config.hash": config_hash, "kubernetes.io/config.source": "file",
                    "kubernetes.io/config.seen": pods.rfc3339()}
                mirror.setdefault("spec", {})["nodeName"] = node_name
                try:
                    stored = self.api._insert(self.pod, namespace, mirror)
                except ApiError:
                    continue  # a manifest the API refuses: the real kubelet logs it and retries
                address = self._address(stored, node)
                self.api._modify(self.pod, namespace, pod_name, pods.run, node, address)

    # --- scheduler and node lifecycle -----------------------------------------------------------------

    def _schedule(self) -> None:
        nodes = list(self._nodes().values())
        load = {_name(n): 0 for n in nodes}
        for pod in self.api._items(self.pod):
            if _spec(pod).get("nodeName") in load and is_active(pod):
                load[_spec(pod)["nodeName"]] += 1
        for pod in self.api._items(self.pod):
            spec = _spec(pod)
            if spec.get("nodeName") or is_terminating(pod) or (pod.get("status") or {}).get("phase") != "Pending" \
                    or spec.get("schedulerName", "default-scheduler") != "default-scheduler":
                continue
            reasons: dict[str, int] = {}
            fitting = [n for n in nodes if self._fits(spec, n, reasons)]
            namespace, name = pod["metadata"]["namespace"], _name(pod)
            if not fitting:
                shown = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
                message = f"0/{len(nodes)} nodes are available" + (f": {shown}." if shown else ".")
                self.api._modify(self.pod, namespace, name, pods.set_condition, "PodScheduled", "False",
                                 "Unschedulable", message)
                continue
            chosen = min(fitting, key=lambda n: (bool(untolerated(spec, n, ("PreferNoSchedule",))),
                                                 load[_name(n)], _name(n)))
            load[_name(chosen)] += 1

            self.api._record("scheduled", self.api._modify(self.pod, namespace, name, _bind, _name(chosen)))

    @staticmethod
    def _fits(spec: dict[str, Any], node: dict[str, Any], reasons: dict[str, int]) -> bool:
        """Whether the scheduler may put a pod with ``spec`` on ``node``; counts why not in ``reasons``."""
        cordoned = _spec(node).get("unschedulable") and not pods.tolerates(
            spec.get("tolerations") or [], {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
        why = ("node(s) were not ready" if not is_ready(node) else
               "node(s) were unschedulable" if cordoned else
               "node(s) didn't match Pod's node affinity/selector" if not pods.selects_node(spec, node) else
               "node(s) had untolerated taint" if untolerated(spec, node, ("NoSchedule", "NoExecute")) else "")
        if why:
            reasons[why] = reasons.get(why, 0) + 1
        return not why

    def _node_taints(self) -> None:
        for node in self.api._items(self.node):
            ready = pods.condition(node, "Ready")
            wanted = {"node.kubernetes.io/unschedulable": bool(_spec(node).get("unschedulable")),
                      "node.kubernetes.io/not-ready": ready is not None and ready.get("status") == "False",
                      "node.kubernetes.io/unreachable": ready is None or ready.get("status") == "Unknown"}
            taints = _spec(node).get("taints") or []
            present = {t.get("key") for t in taints if t.get("effect") == "NoSchedule"}
            if all(wanted[key] == (key in present) for key in wanted):
                continue
            kept = [t for t in taints if not (t.get("key") in wanted and t.get("effect") == "NoSchedule")
                    or wanted[t["key"]]]
            added = [{"key": key, "effect": "NoSchedule", "timeAdded": pods.rfc3339()}
                     for key, on in wanted.items() if on and key not in present]

            self.api._modify(self.node, "", _name(node), _set_taints, kept + added)

    # --- workloads ------------------------------------------------------------------------------------

    def _owned(self, kind_items: list[dict[str, Any]], owner: dict[str, Any]) -> list[dict[str, Any]]:
        return [o for o in kind_items if (controller_of(o) or {}).get("uid") == _uid(owner)]

    def _create_pod(self, owner: dict[str, Any], template: dict[str, Any], node_name: str = "",
                    tolerations: list[dict[str, Any]] | None = None) -> None:
        namespace = owner["metadata"]["namespace"]
        metadata = template.get("metadata") or {}
        pod: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "generateName": f"{_name(owner)}-", "namespace": namespace,
            "labels": copy.deepcopy(metadata.get("labels") or {}),
            "annotations": copy.deepcopy(metadata.get("annotations") or {}),
            "ownerReferences": [pods.owner_reference(owner)]}, "spec": copy.deepcopy(template.get("spec") or {})}
        if node_name:
            pod["spec"]["nodeName"] = node_name
        if tolerations is not None:
            pod["spec"]["tolerations"] = tolerations
        try:
            self.api._record("created", self.api._insert(self.pod, namespace, pod))
        except ApiError:
            return  # an invalid template: the real controller reports FailedCreate events and keeps trying

    def _deployments(self) -> None:
        for deployment in self.api._items(self.deployment):
            if is_terminating(deployment):
                continue
            spec, namespace = _spec(deployment), deployment["metadata"]["namespace"]
            template = spec.get("template") or {}
            template_hash = _template_hash(template)
            name, replicas = f"{_name(deployment)}-{template_hash}", int(spec.get("replicas", 1))
            owned = self._owned(self.api._items(self.replica_set, namespace), deployment)
            current = self.api._find(self.replica_set, namespace, name)
            if current is None:
                labels = {**((template.get("metadata") or {}).get("labels") or {}), "pod-template-hash": template_hash}
                selector = copy.deepcopy(spec.get("selector") or {})
                selector.setdefault("matchLabels", {})["pod-template-hash"] = template_hash
                replica_set = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
                    "name": name, "namespace": namespace, "labels": labels,
                    "annotations": {"deployment.kubernetes.io/revision": str(len(owned) + 1)},
                    "ownerReferences": [pods.owner_reference(deployment)]},
                    "spec": {"replicas": replicas, "selector": selector, "template": {
                        "metadata": {**copy.deepcopy(template.get("metadata") or {}), "labels": labels},
                        "spec": copy.deepcopy(template.get("spec") or {})}}}
                try:
                    self.api._insert(self.replica_set, namespace, replica_set)
                except ApiError:
                    continue
            elif _spec(current).get("replicas") != replicas:
                self._scale(current, replicas)
            for old in owned:
                if _name(old) != name and _spec(old).get("replicas") != 0:
                    self._scale(old, 0)

    def _scale(self, replica_set: dict[str, Any], replicas: int) -> None:
        self.api._modify(self.replica_set, replica_set["metadata"]["namespace"], _name(replica_set), _set_replicas,
                         replicas)

    def _replica_sets(self) -> None:
        for replica_set in self.api._items(self.replica_set):
            if is_terminating(replica_set):
                continue
            namespace, selector = replica_set["metadata"]["namespace"], _spec(replica_set).get("selector")
            for orphan in self.api._items(self.pod, namespace):
                if controller_of(orphan) is None and not is_terminating(orphan) and \
                        label_selector_matches(selector, orphan["metadata"].get("labels") or {}):
                    self.api._modify(self.pod, namespace, _name(orphan), _adopt, replica_set)
            active = [p for p in self._owned(self.api._items(self.pod, namespace), replica_set) if is_active(p)]
            missing = int(_spec(replica_set).get("replicas", 1)) - len(active)
            for _ in range(missing):
                self._create_pod(replica_set, _spec(replica_set).get("template") or {})
            # Scaling down removes the pods that matter least first: unscheduled, then unready, then the newest.
            ranked = sorted(active, key=lambda p: (bool(_spec(p).get("nodeName")), is_ready(p),
                                                   p["metadata"]["creationTimestamp"]))
            for pod in ranked[:max(-missing, 0)]:
                self.api._delete_pod(pod, None, "scale down")

    def _daemon_fit(self, daemon_set: dict[str, Any], node: dict[str, Any]) -> tuple[bool, bool]:
        """(whether a new pod should run on ``node``, whether a running one may stay)."""
        view = self._daemon_pod_spec(daemon_set)
        fits = pods.selects_node(view, node)
        return (fits and not untolerated(view, node, ("NoSchedule", "NoExecute")),
                fits and not untolerated(view, node, ("NoExecute",)))

    @staticmethod
    def _daemon_pod_spec(daemon_set: dict[str, Any]) -> dict[str, Any]:
        """The daemon's pod spec with the tolerations the DaemonSet controller adds."""
        spec = copy.deepcopy((_spec(daemon_set).get("template") or {}).get("spec") or {})
        tolerations = spec.setdefault("tolerations", [])
        for added in pods.DAEMONSET_TOLERATIONS:
            if not any(t.get("key") == added["key"] and t.get("effect") == added["effect"] for t in tolerations):
                tolerations.append(dict(added))
        return spec

    def _daemon_sets(self) -> None:
        nodes = self._nodes()
        for daemon_set in self.api._items(self.daemon_set):
            if is_terminating(daemon_set):
                continue
            namespace = daemon_set["metadata"]["namespace"]
            active = [p for p in self._owned(self.api._items(self.pod, namespace), daemon_set) if is_active(p)]
            for node_name, node in nodes.items():
                here = [p for p in active if _spec(p).get("nodeName") == node_name]
                should_run, may_stay = self._daemon_fit(daemon_set, node)
                if should_run and not here:
                    self._create_pod(daemon_set, _spec(daemon_set).get("template") or {}, node_name,
                                     self._daemon_pod_spec(daemon_set)["tolerations"])
                for pod in here[1:] if may_stay else here:
                    self.api._delete_pod(pod, None, "daemon set")

    # --- garbage collection and status ----------------------------------------------------------------

    def _collect_garbage(self) -> None:
        nodes = self._nodes()
        for pod in self.api._items(self.pod):
            node_name = _spec(pod).get("nodeName")
            if node_name and node_name not in nodes:
                self.api._lose_pod(pod, f"node {node_name} is gone")
        uids = self.api._uids()
        for (group, plural, namespace, name), obj in list(self.api.objects.items()):
            references = obj["metadata"].get("ownerReferences") or []
            if not references or any(ref.get("uid") in uids for ref in references):
                continue
            if plural == "pods":
                if not is_terminating(obj):
                    self.api._delete_pod(obj, None, "garbage collection")
            else:
                self.api._remove(self.api._kind_of(group, plural), namespace, name)

    def _write_status(self, obj: dict[str, Any], status: dict[str, Any]) -> None:
        kind = self.api.kind(obj["apiVersion"], obj["kind"])
        self.api._modify(kind, obj["metadata"].get("namespace", ""), _name(obj), _set_status, status)

    def _workload_statuses(self) -> None:
        all_pods = self.api._items(self.pod)
        for replica_set in self.api._items(self.replica_set):
            active = [p for p in self._owned(all_pods, replica_set) if is_active(p)]
            ready = sum(1 for p in active if is_ready(p))
            self._write_status(replica_set, _counts(replica_set, replicas=len(active), fullyLabeledReplicas=len(active),
                                                    readyReplicas=ready, availableReplicas=ready))
        for deployment in self.api._items(self.deployment):
            owned = self._owned(self.api._items(self.replica_set, deployment["metadata"]["namespace"]), deployment)
            newest = f"{_name(deployment)}-{_template_hash(_spec(deployment).get('template') or {})}"
            total = {field: sum((rs.get("status") or {}).get(field, 0) for rs in owned)
                     for field in ("replicas", "readyReplicas", "availableReplicas")}
            updated = sum((rs.get("status") or {}).get("replicas", 0) for rs in owned if _name(rs) == newest)
            desired = int(_spec(deployment).get("replicas", 1))
            status = _counts(deployment, **total, updatedReplicas=updated,
                             unavailableReplicas=max(desired - total["availableReplicas"], 0))
            changed = copy.deepcopy(deployment)
            changed["status"] = {**(deployment.get("status") or {}), **status}
            unavailable = (_spec(deployment).get("strategy") or {}).get("rollingUpdate", {}).get("maxUnavailable", 0)
            if total["availableReplicas"] >= desired - _scaled_down(unavailable, desired):
                pods.set_condition(changed, "Available", "True", "MinimumReplicasAvailable",
                                   "Deployment has minimum availability.")
            else:
                pods.set_condition(changed, "Available", "False", "MinimumReplicasUnavailable",
                                   "Deployment does not have minimum availability.")
            self._write_status(deployment, {**status, "conditions": changed["status"]["conditions"]})
        nodes = list(self._nodes().values())
        for daemon_set in self.api._items(self.daemon_set):
            active = [p for p in self._owned(all_pods, daemon_set) if is_active(p)]
            fits = {_name(n): self._daemon_fit(daemon_set, n) for n in nodes}
            desired = sum(1 for should_run, _ in fits.values() if should_run)
            placed = {str(_spec(p).get("nodeName", "")) for p in active}
            ready = sum(1 for p in active if is_ready(p))
            self._write_status(daemon_set, _counts(
                daemon_set, desiredNumberScheduled=desired,
                currentNumberScheduled=sum(1 for n in placed if fits.get(n, (False, False))[1]),
                numberMisscheduled=sum(1 for n in placed if not fits.get(n, (False, False))[1]),
                numberReady=ready, numberAvailable=ready, updatedNumberScheduled=len(placed),
                numberUnavailable=max(desired - ready, 0)))

    def _budget_statuses(self) -> None:
        for budget in self.api._items(self.budget):
            self._write_status(budget, disruption.status(self.api, budget))


def _bind(pod: dict[str, Any], node_name: str) -> None:
    pod["spec"]["nodeName"] = node_name
    pods.set_condition(pod, "PodScheduled", "True")


def _adopt(pod: dict[str, Any], owner: dict[str, Any]) -> None:
    pod["metadata"]["ownerReferences"] = [*(pod["metadata"].get("ownerReferences") or []), pods.owner_reference(owner)]


def _set_taints(node: dict[str, Any], taints: list[dict[str, Any]]) -> None:
    if taints:
        node.setdefault("spec", {})["taints"] = taints
    else:
        node.get("spec", {}).pop("taints", None)


def _set_replicas(obj: dict[str, Any], replicas: int) -> None:
    obj["spec"]["replicas"] = replicas


def _set_status(obj: dict[str, Any], status: dict[str, Any]) -> None:
    obj["status"] = status


#: The counts of each workload's status written even when zero (the others are ``omitempty`` in the real types).
_REQUIRED_COUNTS = {"ReplicaSet": {"replicas"},
                    "DaemonSet": {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                                  "numberReady"}}


def _counts(obj: dict[str, Any], **counts: int) -> dict[str, Any]:
    """A workload's status: its counts and the generation it reflects."""
    required = _REQUIRED_COUNTS.get(obj["kind"], set())
    return {"observedGeneration": obj["metadata"].get("generation", 1),
            **{field: value for field, value in counts.items() if value or field in required}}


def _scaled_down(value: int | str, total: int) -> int:
    """A Deployment's ``maxUnavailable``: an integer, or a percentage of ``total`` rounded down."""
    if isinstance(value, str):
        return int(value.rstrip("%")) * total // 100
    return int(value)


def _template_hash(template: dict[str, Any]) -> str:
    """A stable ``pod-template-hash`` for a pod template, in the alphabet the real one uses."""
    digest = sha256(repr(_canonical(template)).encode()).digest()
    return "".join(_HASH_ALPHABET[b % len(_HASH_ALPHABET)] for b in digest[:10])


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted((k, _canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value
