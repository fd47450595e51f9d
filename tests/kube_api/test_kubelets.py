"""The kubelet simulation: Nodes follow the cloud's instances, registering after a boot delay with what kOps' nodes
carry, and leaving with their pods when the instance goes."""

from __future__ import annotations

import time

import pytest
from kops.testing.kube_api import Kubelets

from .objects import budget, workload


def test_an_instance_registers_a_ready_node_after_its_boot_delay(api, clock, core, cloud):
    kubelets = Kubelets(api, cloud.instances, boot_delay=30)
    cloud.launch("i-0abc", group="nodes-us-east-1a", zone="us-east-1a")

    kubelets.tick()
    assert core.list_node().items == []
    clock.advance(30)
    kubelets.tick()

    node = core.read_node("i-0abc")
    assert node.spec.provider_id == "aws:///us-east-1a/i-0abc"
    assert {k: v for k, v in node.metadata.labels.items() if "kops" in k or "role" in k or "topology" in k
            or "hostname" in k} == {
        "kops.k8s.io/instancegroup": "nodes-us-east-1a", "node-role.kubernetes.io/node": "",
        "topology.kubernetes.io/zone": "us-east-1a", "topology.kubernetes.io/region": "us-east-1",
        "kubernetes.io/hostname": "i-0abc"}
    assert {c.type: c.status for c in node.status.conditions}["Ready"] == "True"
    assert [(a.type, a.address) for a in node.status.addresses] == [("InternalIP", "172.20.0.10"),
                                                                      ("Hostname", "i-0abc")]
    assert node.status.node_info.kubelet_version == "v1.35.0" and node.spec.taints is None
    assert [(e.what, e.name, e.detail) for e in api.history.of("node-registered")] == [
        ("node-registered", "i-0abc", "instance i-0abc")]


def test_a_control_plane_node_is_tainted_and_runs_the_static_pods_validation_looks_for(core, cloud, kubelets):
    cloud.launch("cp", group="control-plane-us-east-1a", role="ControlPlane")
    cloud.launch("bastion", group="bastions", role="Bastion")
    kubelets.tick()

    [node] = core.list_node().items
    assert node.metadata.labels["node-role.kubernetes.io/control-plane"] == ""
    assert [(t.key, t.effect) for t in node.spec.taints] == [("node-role.kubernetes.io/control-plane", "NoSchedule")]
    mirrors = core.list_namespaced_pod("kube-system", field_selector="spec.nodeName=cp").items
    assert sorted((p.metadata.labels["k8s-app"], p.spec.priority_class_name, p.status.phase) for p in mirrors) == [
        ("kube-apiserver", "system-cluster-critical", "Running"),
        ("kube-controller-manager", "system-cluster-critical", "Running"),
        ("kube-scheduler", "system-cluster-critical", "Running")]
    assert all(p.metadata.owner_references[0].kind == "Node" for p in mirrors)


def test_node_names_and_provider_ids_follow_the_cloud(api, core, cloud):
    kubelets = Kubelets(api, cloud.instances, provider_id="gce://my-project/{zone}/{id}",
                        node_name=lambda i: "ip-" + i["internalIP"].replace(".", "-") + ".ec2.internal")
    cloud.launch("nodes-a-x1", zone="us-central1-a")
    kubelets.tick()

    [node] = core.list_node().items
    assert (node.metadata.name, node.spec.provider_id) == ("ip-172-20-0-10.ec2.internal",
                                                           "gce://my-project/us-central1-a/nodes-a-x1")
    assert node.metadata.labels["topology.kubernetes.io/region"] == "us-central1"
    assert kubelets.registered == {"nodes-a-x1": "ip-172-20-0-10.ec2.internal"}


def test_a_terminated_instance_takes_its_node_and_pods_and_undrained_budgets_show_it(api, core, apps, policy, cloud,
                                                                                      kubelets):
    cloud.launch("i-a")
    cloud.launch("i-b")
    kubelets.tick()
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=2))

    cloud.terminate("i-a")
    kubelets.tick()
    assert [n.metadata.name for n in core.list_node().items] == ["i-b"]
    assert {p.spec.node_name for p in core.list_namespaced_pod("default").items} == {"i-b"}
    assert [e.what for e in api.history.of("node-removed", "pod-lost", "budget-violated")] == [
        "node-removed", "pod-lost", "budget-violated"]
    assert api.history.of("budget-violated")[0].detail == "web: 1 healthy, 2 desired, after node i-a is gone"


def test_in_the_background_nodes_follow_the_instances(api, core, cloud):
    def wait_for(names: list[str]) -> None:
        deadline = time.monotonic() + 5
        while [n.metadata.name for n in core.list_node().items] != names:
            assert time.monotonic() < deadline, f"nodes never became {names}"
            time.sleep(0.01)

    with Kubelets(api, cloud.instances, interval=0.01):
        cloud.launch("i-a")
        wait_for(["i-a"])
        cloud.terminate("i-a")
        wait_for([])


def test_an_unreadable_cloud_fails_the_test_when_the_kubelets_stop(api):
    def broken() -> list:
        raise RuntimeError("the cloud is down")

    kubelets = Kubelets(api, broken, interval=0.01).start()
    time.sleep(0.05)
    with pytest.raises(RuntimeError, match="the cloud is down"):
        kubelets.stop()
