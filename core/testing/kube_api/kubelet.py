"""Kubelets for a cloud's instances: every instance that joins the cluster registers a Ready Node a little after it
appears, and its Node (with its pods) goes away when the instance does, as the cloud's node lifecycle controller
removes Nodes of terminated instances. This is what lets a rolling update be tested end to end against a cloud
stand-in: kops replaces an instance, and the cluster sees the old node leave and a new one join.

The instances come from a callable the test provides, each a dict with ``id``, ``zone``, ``instanceGroup``,
``role`` (``ControlPlane``, ``APIServer``, ``Node``; ``Bastion`` instances do not join) and ``internalIP``;
optionally ``region`` and ``machineType``. A Node carries what kOps' nodes carry: ``spec.providerID``, the
``kops.k8s.io/instancegroup`` and role labels, the zone and hostname labels, and the control-plane taint; a
control-plane Node also gets the static pods kOps runs there (whose mirror pods ``kops validate cluster`` looks for).

Use it from a fixture::

    @pytest.fixture
    def cluster(cloud):
        with FakeKubeAPI() as api, Kubelets(api, cloud.instances, boot_delay=0.5):
            yield api

or drive it by hand with :meth:`Kubelets.tick` (one poll, synchronously) for tests that must not depend on timing.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from . import pods

if TYPE_CHECKING:
    from .server import FakeKubeAPI

Instance = dict[str, Any]
#: The role labels of each instance group role, as kOps' node labeller sets them.
ROLE_LABELS = {
    "ControlPlane": {"node-role.kubernetes.io/control-plane": "", "kops.k8s.io/kops-controller-pki": "",
                     "node.kubernetes.io/exclude-from-external-load-balancers": ""},
    "APIServer": {"node-role.kubernetes.io/api-server": ""},
    "Node": {"node-role.kubernetes.io/node": ""},
}
ROLE_LABELS["Master"] = ROLE_LABELS["ControlPlane"]
CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
#: The static pods of a kOps control-plane node that validation expects to find (by their ``k8s-app`` label).
CONTROL_PLANE_STATIC_PODS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")


def _render(template: str | Callable[[Instance], str], instance: Instance) -> str:
    return template(instance) if callable(template) else template.format(**instance)


def region_of(zone: str) -> str:
    """The region of an AWS-style (``us-east-1a``) or GCE-style (``us-central1-a``) zone."""
    found = re.fullmatch(r"(.*\d)[a-z]", zone) or re.fullmatch(r"(.*)-[a-z]", zone)
    return found[1] if found else ""


class Kubelets:
    """The kubelets of the instances ``instances()`` returns, registering with ``api``.

    ``provider_id`` and ``node_name``: templates formatted with the instance's fields (``aws:///{zone}/{id}``), or
    callables of the instance. ``boot_delay``: seconds from an instance's first sighting to its Node registering.
    ``interval``: seconds between polls when started in the background.
    """

    def __init__(self, api: FakeKubeAPI, instances: Callable[[], Iterable[Instance]], *,
                 provider_id: str | Callable[[Instance], str] = "aws:///{zone}/{id}",
                 node_name: str | Callable[[Instance], str] = "{id}", boot_delay: float = 0.0,
                 interval: float = 0.05, static_pods: Sequence[str] = CONTROL_PLANE_STATIC_PODS):
        self.api, self.instances = api, instances
        self.provider_id, self.node_name = provider_id, node_name
        self.boot_delay, self.interval, self.static_pods = boot_delay, interval, tuple(static_pods)
        #: Node names by instance id, for instances whose Node has registered.
        self.registered: dict[str, str] = {}
        #: Errors raised by ``instances()`` in the background; :meth:`stop` raises the first.
        self.errors: list[BaseException] = []
        self._first_seen: dict[str, float] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> None:
        """Poll the instances once: register the Nodes of instances that have booted, remove those of instances
        that are gone. The instances are asked for outside the server's lock, since asking may be slow."""
        current = {i["id"]: i for i in self.instances() if i.get("role") in ROLE_LABELS}
        with self.api._lock:
            now = self.api.clock()
            for instance_id, instance in current.items():
                first = self._first_seen.setdefault(instance_id, now)
                if instance_id not in self.registered and now - first >= self.boot_delay:
                    self._register(instance)
            for instance_id in [i for i in self._first_seen if i not in current]:
                self._first_seen.pop(instance_id)
                name = self.registered.pop(instance_id, None)
                node = self.api._find(self.api.kind("v1", "Node"), "", name) if name else None
                if node is not None:
                    self.api._record("node-removed", node, f"instance {instance_id} is gone")
                    self.api._remove(self.api.kind("v1", "Node"), "", name or "")
                    self.api.static_pods.pop(name or "", None)
            self.api._settle()

    def _register(self, instance: Instance) -> None:
        name = _render(self.node_name, instance)
        self.registered[instance["id"]] = name
        node_kind = self.api.kind("v1", "Node")
        if self.api._find(node_kind, "", name) is not None:
            return
        stored = self.api._insert(node_kind, "", self.node(instance, name))
        self.api._record("node-registered", stored, f"instance {instance['id']}")
        if instance["role"] in ("ControlPlane", "Master"):
            for app in self.static_pods:
                self.api.static_pods.setdefault(name, {})[app] = static_pod(app, self.api.kubernetes_version)

    def node(self, instance: Instance, name: str) -> dict[str, Any]:
        """The Node a kOps instance's kubelet registers."""
        zone = instance.get("zone", "")
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                  "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
                  "kops.k8s.io/instancegroup": instance.get("instanceGroup", ""), **ROLE_LABELS[instance["role"]]}
        if zone:
            labels["topology.kubernetes.io/zone"] = zone
            labels["topology.kubernetes.io/region"] = instance.get("region") or region_of(zone)
        if instance.get("machineType"):
            labels["node.kubernetes.io/instance-type"] = instance["machineType"]
        spec: dict[str, Any] = {"providerID": _render(self.provider_id, instance)}
        if instance["role"] in ("ControlPlane", "Master"):
            spec["taints"] = [dict(CONTROL_PLANE_TAINT)]
        now = pods.rfc3339()
        conditions = [
            {"type": kind, "status": "False", "reason": reason, "message": message,
             "lastHeartbeatTime": now, "lastTransitionTime": now}
            for kind, reason, message in (
                ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))]
        conditions.append({"type": "Ready", "status": "True", "reason": "KubeletReady",
                           "message": "kubelet is posting ready status", "lastHeartbeatTime": now,
                           "lastTransitionTime": now})
        resources = {"cpu": "2", "memory": "8Gi", "pods": "110", "ephemeral-storage": "64Gi"}
        return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}, "spec": spec,
                "status": {"conditions": conditions, "capacity": resources, "allocatable": dict(resources),
                           "addresses": [{"type": "InternalIP", "address": instance.get("internalIP", "")},
                                         {"type": "Hostname", "address": name}],
                           "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                           "nodeInfo": self._system_info(instance)}}

    def _system_info(self, instance: Instance) -> dict[str, str]:
        machine = sha256(instance["id"].encode()).hexdigest()
        return {"machineID": machine[:32], "systemUUID": str(uuid.UUID(machine[32:])), "bootID": str(uuid.uuid4()),
                "kernelVersion": "6.8.0-1021-aws", "osImage": "Ubuntu 24.04.1 LTS", "operatingSystem": "linux",
                "architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.27",
                "kubeletVersion": f"v{self.api.kubernetes_version}", "kubeProxyVersion": ""}

    # --- in the background ----------------------------------------------------------------------------

    def start(self) -> Kubelets:
        """Poll every ``interval`` seconds in a background thread until :meth:`stop`."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="fake-kubelets", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - kept for stop() to raise in the test
                self.errors.append(exc)

    def stop(self) -> None:
        """Stop polling; raises the first error ``instances()`` raised meanwhile, so a test does not pass on a
        cluster that silently stopped following its cloud."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.errors:
            raise self.errors[0]

    def __enter__(self) -> Kubelets:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def static_pod(app: str, version: str) -> dict[str, Any]:
    """A control-plane static pod as kOps' nodeup writes it (what matters to the API: name, labels, priority)."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": app, "namespace": "kube-system", "labels": {"k8s-app": app}},
            "spec": {"hostNetwork": True, "priorityClassName": "system-cluster-critical",
                     "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
                     "containers": [{"name": app, "image": f"registry.k8s.io/{app}:v{version}"}]}}
