"""The controller simulation seen through the official client: Deployments, ReplicaSets and DaemonSets keep their
pods where a real cluster would put them, so budgets recover after evictions."""

from __future__ import annotations

from collections import Counter

import pytest

from .objects import budget, eviction, workload


@pytest.fixture
def nodes(cloud, kubelets):
    """Two workers and a control-plane node."""
    cloud.launch("i-a")
    cloud.launch("i-b")
    cloud.launch("cp", group="control-plane-us-east-1a", role="ControlPlane")
    kubelets.tick()


def _placement(core, label: str, namespace: str = "default") -> Counter:
    return Counter(p.spec.node_name for p in core.list_namespaced_pod(namespace, label_selector=label).items
                   if p.metadata.deletion_timestamp is None)


def test_a_deployment_spreads_its_replicas_over_schedulable_nodes(core, apps, nodes):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=4))

    assert _placement(core, "app=web") == {"i-a": 2, "i-b": 2}
    pods = core.list_namespaced_pod("default", label_selector="app=web").items
    assert {(r.kind, r.controller) for p in pods for r in p.metadata.owner_references} == {("ReplicaSet", True)}
    status = apps.read_namespaced_deployment("web", "default").status
    assert (status.replicas, status.ready_replicas, status.available_replicas, status.updated_replicas) == (4, 4, 4, 4)
    [replica_set] = apps.list_namespaced_replica_set("default").items
    assert replica_set.metadata.owner_references[0].kind == "Deployment"
    assert replica_set.status.ready_replicas == 4


def test_an_evicted_replica_starts_again_elsewhere_after_the_start_delay(api, clock, core, apps, policy, nodes):
    api.pod_start_delay = 10
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    clock.advance(10)
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=1))
    core.patch_node("i-a", {"spec": {"unschedulable": True}})
    [victim] = core.list_namespaced_pod("default", field_selector="spec.nodeName=i-a").items

    core.create_namespaced_pod_eviction(victim.metadata.name, "default", eviction(victim.metadata.name))
    assert _placement(core, "app=web") == {"i-b": 2}
    assert policy.read_namespaced_pod_disruption_budget("web", "default").status.disruptions_allowed == 0
    clock.advance(10)
    assert {p.status.phase for p in core.list_namespaced_pod("default").items} == {"Running"}
    assert policy.read_namespaced_pod_disruption_budget("web", "default").status.disruptions_allowed == 1


def test_nodes_marked_for_replacement_are_used_only_when_nothing_else_fits(core, apps, nodes):
    core.patch_node("i-a", {"spec": {"taints": [{"key": "kops.k8s.io/scheduled-for-update",
                                                 "effect": "PreferNoSchedule"}]}})
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    assert _placement(core, "app=web") == {"i-b": 2}

    core.patch_node("i-b", {"spec": {"unschedulable": True}})
    apps.patch_namespaced_deployment("web", "default", {"spec": {"replicas": 3}})
    assert _placement(core, "app=web") == {"i-b": 2, "i-a": 1}


def test_a_daemon_set_runs_on_every_node_it_tolerates_cordoned_ones_included(api, core, apps, cloud, kubelets,
                                                                              nodes):
    apps.create_namespaced_daemon_set("kube-system", workload("DaemonSet", "agent", namespace="kube-system"))
    apps.create_namespaced_daemon_set("kube-system", workload(
        "DaemonSet", "cni", namespace="kube-system", tolerations=[{"operator": "Exists"}]))

    assert _placement(core, "app=agent", "kube-system") == {"i-a": 1, "i-b": 1}
    assert _placement(core, "app=cni", "kube-system") == {"i-a": 1, "i-b": 1, "cp": 1}
    cloud.launch("i-c")
    kubelets.tick()
    assert _placement(core, "app=agent", "kube-system") == {"i-a": 1, "i-b": 1, "i-c": 1}

    core.patch_node("i-a", {"spec": {"unschedulable": True}})
    [on_a] = core.list_namespaced_pod("kube-system", label_selector="app=agent",
                                      field_selector="spec.nodeName=i-a").items
    core.delete_namespaced_pod(on_a.metadata.name, "kube-system")
    assert _placement(core, "app=agent", "kube-system") == {"i-a": 1, "i-b": 1, "i-c": 1}
    status = apps.read_namespaced_daemon_set("agent", "kube-system").status
    assert (status.desired_number_scheduled, status.current_number_scheduled, status.number_ready) == (3, 3, 3)


def test_a_failed_pod_is_replaced_and_a_deleted_deployment_takes_its_pods(api, core, apps, nodes):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    first = core.list_namespaced_pod("default").items[0].metadata.name

    api.fail_pod("default", first)
    phases = Counter(p.status.phase for p in core.list_namespaced_pod("default").items)
    assert phases == {"Running": 2, "Failed": 1}
    apps.delete_namespaced_deployment("web", "default")
    assert apps.list_namespaced_replica_set("default").items == []
    assert core.list_namespaced_pod("default").items == []


def test_a_new_pod_template_rolls_to_a_new_replica_set(core, apps, nodes):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    apps.patch_namespaced_deployment("web", "default", {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "image": "registry.k8s.io/pause:3.11"}]}}}})

    replica_sets = {rs.spec.template.spec.containers[0].image: rs.spec.replicas
                    for rs in apps.list_namespaced_replica_set("default").items}
    assert replica_sets == {"registry.k8s.io/pause:3.10": 0, "registry.k8s.io/pause:3.11": 2}
    assert {p.spec.containers[0].image for p in core.list_namespaced_pod("default").items} == {
        "registry.k8s.io/pause:3.11"}
