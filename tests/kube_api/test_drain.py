"""A whole drain against the fake, as ``kops rolling-update cluster`` drains a node before replacing its instance:
cordon, then evict every pod that is neither a DaemonSet's nor a mirror pod, retrying while a disruption budget
refuses, until the controllers have started replicas elsewhere; then the instance goes and its Node with it.
Real time here, with kubelets polling in the background, as the commands will meet it."""

from __future__ import annotations

import time

import pytest
from kops.testing.kube_api import FakeKubeAPI, Kubelets
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from .conftest import Cloud
from .objects import budget, eviction, workload

START_DELAY = 0.5


@pytest.fixture
def cluster():
    """Three workers and a control-plane node whose replacement pods take ``START_DELAY`` seconds to get ready."""
    cloud = Cloud()
    for name in ("i-a", "i-b", "i-c"):
        cloud.launch(name)
    cloud.launch("cp", group="control-plane-us-east-1a", role="ControlPlane")
    with FakeKubeAPI(pod_start_delay=START_DELAY) as api, Kubelets(api, cloud.instances, interval=0.02) as kubelets:
        kubelets.tick()
        apps = client.AppsV1Api(api.api_client())
        apps.create_namespaced_daemon_set("kube-system", workload(
            "DaemonSet", "cni", namespace="kube-system", tolerations=[{"operator": "Exists"}]))
        apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=4))
        client.PolicyV1Api(api.api_client()).create_namespaced_pod_disruption_budget(
            "default", budget("web", "web", minAvailable=3))
        _wait(lambda: all(p["status"]["phase"] == "Running" for p in api.select("v1", "Pod")))
        yield api, cloud


def _wait(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def drain(core: client.CoreV1Api, apps: client.AppsV1Api, node: str) -> None:
    """Cordon ``node`` and evict its pods as kubectl's drain helper does (DaemonSets ignored, mirror pods left)."""
    core.patch_node(node, {"spec": {"unschedulable": True}})
    evictable = []
    for pod in core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={node}").items:
        if "kubernetes.io/config.mirror" in (pod.metadata.annotations or {}):
            continue
        owner = next((r for r in pod.metadata.owner_references or [] if r.controller), None)
        if owner is not None and owner.kind == "DaemonSet":
            apps.read_namespaced_daemon_set(owner.name, pod.metadata.namespace)
            continue
        evictable.append(pod)
    for pod in evictable:
        name, namespace = pod.metadata.name, pod.metadata.namespace
        deadline = time.monotonic() + 10
        while True:
            try:
                core.create_namespaced_pod_eviction(name, namespace, eviction(name, namespace))
                break
            except ApiException as exc:
                if exc.status == 404:
                    break
                assert exc.status == 429 and time.monotonic() < deadline, exc.body
                time.sleep(0.05)
    for pod in evictable:
        def gone(pod=pod) -> bool:
            try:
                return core.read_namespaced_pod(pod.metadata.name, pod.metadata.namespace).metadata.uid != \
                    pod.metadata.uid
            except ApiException as exc:
                return exc.status == 404
        _wait(gone)


def test_a_drain_evicts_through_the_budget_and_the_node_leaves_with_its_instance(cluster):
    api, cloud = cluster
    core, apps = client.CoreV1Api(api.api_client()), client.AppsV1Api(api.api_client())
    web_on_a = [p.metadata.name for p in core.list_namespaced_pod("default", field_selector="spec.nodeName=i-a").items]
    assert len(web_on_a) == 2

    drain(core, apps, "i-a")

    left = core.list_pod_for_all_namespaces(field_selector="spec.nodeName=i-a").items
    assert [p.metadata.owner_references[0].kind for p in left] == ["DaemonSet"]
    _wait(lambda: apps.read_namespaced_deployment("web", "default").status.ready_replicas == 4)
    assert "i-a" not in {p.spec.node_name for p in core.list_namespaced_pod("default").items}

    history = api.history
    cordon = history.of("cordoned", name="i-a")[0]
    evictions = history.of("evicted", node="i-a")
    assert sorted(e.name for e in evictions) == sorted(web_on_a)
    assert all(cordon.seq < e.seq for e in evictions)
    assert history.of("eviction-refused", node="i-a"), "the budget should have made the drain wait"
    assert not [e for e in history.of("evicted") if e.owner.startswith("DaemonSet/")]
    assert history.of("budget-violated") == []

    cloud.terminate("i-a")
    _wait(lambda: [n.metadata.name for n in core.list_node().items] == ["cp", "i-b", "i-c"])
    cloud.launch("i-d")
    _wait(lambda: {p.spec.node_name for p in core.list_namespaced_pod("kube-system", label_selector="app=cni").items
                   if p.status.phase == "Running"} == {"cp", "i-b", "i-c", "i-d"})
    assert history.of("budget-violated") == []


def test_deleting_pods_instead_of_evicting_them_is_caught(cluster):
    api, _ = cluster
    core = client.CoreV1Api(api.api_client())
    api.pod_start_delay = 60  # no replacement gets ready while this test deletes

    core.patch_node("i-a", {"spec": {"unschedulable": True}})
    for pod in core.list_namespaced_pod("default", field_selector="spec.nodeName=i-a").items:
        core.delete_namespaced_pod(pod.metadata.name, "default")

    [violation] = api.history.of("budget-violated")
    assert (violation.node, violation.detail) == ("i-a", "web: 2 healthy, 3 desired, after deleted")
