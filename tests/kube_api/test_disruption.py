"""PodDisruptionBudgets and the Eviction API through the official client: budgets' status computed from the pods
they select, evictions accepted (201) or refused (429) as the real server decides, with its bodies."""

from __future__ import annotations

import json

import pytest
from kubernetes.client.exceptions import ApiException

from .objects import budget, eviction, pod, workload

REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."


@pytest.fixture
def workers(cloud, kubelets):
    cloud.launch("i-a")
    cloud.launch("i-b")
    kubelets.tick()


def _refusal(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(ApiException) as caught:
        call(*args, **kwargs)
    return caught.value.status, json.loads(caught.value.body)


def _pod_names(core, app: str) -> list[str]:
    return [p.metadata.name for p in core.list_namespaced_pod("default", label_selector=f"app={app}").items
            if p.metadata.deletion_timestamp is None]


def _status(policy, name: str = "web") -> dict:
    found = policy.read_namespaced_pod_disruption_budget(name, "default").status
    return {"currentHealthy": found.current_healthy, "desiredHealthy": found.desired_healthy,
            "disruptionsAllowed": found.disruptions_allowed, "expectedPods": found.expected_pods}


def test_budgets_are_created_listed_read_and_deleted(policy):
    created = policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=1))
    assert created.metadata.generation == 1

    assert [b.metadata.name for b in policy.list_namespaced_pod_disruption_budget("default").items] == ["web"]
    assert [b.metadata.name for b in policy.list_pod_disruption_budget_for_all_namespaces().items] == ["web"]
    assert policy.read_namespaced_pod_disruption_budget("web", "default").status.observed_generation == 1
    answer = policy.delete_namespaced_pod_disruption_budget("web", "default")
    assert (answer.status, answer.details.group, answer.details.kind) == ("Success", "policy", "poddisruptionbudgets")
    status, body = _refusal(policy.read_namespaced_pod_disruption_budget, "web", "default")
    assert (status, body["message"]) == (404, 'poddisruptionbudgets.policy "web" not found')


@pytest.mark.parametrize("limits, desired, allowed", [
    ({"minAvailable": 3}, 3, 1),
    ({"minAvailable": "50%"}, 2, 2),
    ({"maxUnavailable": 1}, 3, 1),
    ({"maxUnavailable": "30%"}, 2, 2),
    ({"minAvailable": 5}, 5, 0),
])
def test_a_budgets_status_counts_the_ready_pods_it_selects(api, apps, policy, workers, limits, desired, allowed):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=4))
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", **limits))

    assert _status(policy) == {"currentHealthy": 4, "desiredHealthy": desired, "disruptionsAllowed": allowed,
                               "expectedPods": 4}
    condition = policy.read_namespaced_pod_disruption_budget("web", "default").status.conditions[0]
    assert (condition.type, condition.status, condition.reason) == (
        "DisruptionAllowed", "True" if allowed else "False", "SufficientPods" if allowed else "InsufficientPods")
    api.set_pod_ready("default", api.select("v1", "Pod", "default")[0]["metadata"]["name"], False)
    assert _status(policy)["currentHealthy"] == 3
    assert _status(policy)["disruptionsAllowed"] == max(allowed - 1, 0)


def test_a_percentage_budget_over_daemon_set_pods_allows_no_disruption(apps, policy, workers):
    apps.create_namespaced_daemon_set("default", workload("DaemonSet", "agent"))
    policy.create_namespaced_pod_disruption_budget("default", budget("agent", "agent", maxUnavailable="50%"))

    found = policy.read_namespaced_pod_disruption_budget("agent", "default").status
    assert found.disruptions_allowed == 0
    assert (found.conditions[0].status, found.conditions[0].reason) == ("False", "SyncFailed")
    assert found.conditions[0].message.startswith('found no controllers for pod "agent-')


def test_budgets_with_both_limits_or_a_bad_percentage_are_invalid(policy):
    status, body = _refusal(policy.create_namespaced_pod_disruption_budget, "default",
                            budget("web", "web", minAvailable=1, maxUnavailable=1))
    assert (status, body["reason"]) == (422, "Invalid") and "cannot be both set" in body["message"]
    status, body = _refusal(policy.create_namespaced_pod_disruption_budget, "default",
                            budget("web", "web", minAvailable="150%"))
    assert (status, body["details"]["causes"][0]["field"]) == (422, "spec.minAvailable")


def test_an_eviction_deletes_the_pod_and_answers_201(api, core, apps, policy, workers):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=3))
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=2))
    victim = _pod_names(core, "web")[0]

    response = core.create_namespaced_pod_eviction(victim, "default", eviction(victim), _preload_content=False)
    assert (response.status, json.loads(response.data)) == (201, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    assert victim not in _pod_names(core, "web") and len(_pod_names(core, "web")) == 3
    assert [(e.what, e.name) for e in api.history.of("evicted")] == [("evicted", victim)]


def test_an_evicted_pod_stops_within_its_grace_period(api, clock, core, workers):
    api.pod_stop_delay = 5
    core.create_namespaced_pod("default", pod("web", grace=30))

    core.create_namespaced_pod_eviction("web", "default", eviction("web"))
    evicted = core.read_namespaced_pod("web", "default")
    assert evicted.metadata.deletion_grace_period_seconds == 30
    target = {c.type: c for c in evicted.status.conditions}["DisruptionTarget"]
    assert (target.status, target.reason) == ("True", "EvictionByEvictionAPI")
    clock.advance(5)
    assert _refusal(core.read_namespaced_pod, "web", "default")[0] == 404


def test_an_eviction_a_budget_forbids_is_refused_with_429(api, core, apps, policy, workers):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=2))
    victim = _pod_names(core, "web")[0]

    assert _refusal(core.create_namespaced_pod_eviction, victim, "default", eviction(victim)) == (429, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": REFUSED,
        "reason": "TooManyRequests", "details": {"causes": [{
            "reason": "DisruptionBudget", "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]},
        "code": 429})
    assert victim in _pod_names(core, "web")
    assert [(e.what, e.name) for e in api.history.of("eviction-refused")] == [("eviction-refused", victim)]


def test_evictions_of_missing_or_misnamed_pods_are_refused(core, workers):
    core.create_namespaced_pod("default", pod("web"))

    status, body = _refusal(core.create_namespaced_pod_eviction, "nope", "default", eviction("nope"))
    assert (status, body["reason"], body["message"]) == (404, "NotFound", 'pods "nope" not found')
    status, body = _refusal(core.create_namespaced_pod_eviction, "web", "default", eviction("other"))
    assert (status, body["message"]) == (400, "name in URL does not match name in Eviction object")


def test_an_unready_pod_is_evicted_while_its_budget_is_otherwise_met(api, core, apps, policy, workers):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=3))
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=2))
    unready, ready, _ = _pod_names(core, "web")
    api.set_pod_ready("default", unready, False)

    assert _status(policy)["disruptionsAllowed"] == 0
    assert _refusal(core.create_namespaced_pod_eviction, ready, "default", eviction(ready))[0] == 429
    core.create_namespaced_pod_eviction(unready, "default", eviction(unready))
    assert unready not in _pod_names(core, "web")


def test_pending_and_failed_pods_are_evicted_whatever_their_budget(api, core, policy):
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=5))
    core.create_namespaced_pod("default", pod("pending", {"app": "web"}))

    core.create_namespaced_pod_eviction("pending", "default", eviction("pending"))
    assert _pod_names(core, "web") == []


def test_a_pod_under_two_budgets_cannot_be_evicted(core, policy, workers):
    core.create_namespaced_pod("default", pod("web", {"app": "web"}))
    policy.create_namespaced_pod_disruption_budget("default", budget("one", "web", maxUnavailable=1))
    policy.create_namespaced_pod_disruption_budget("default", budget("two", "web", maxUnavailable=1))

    status, body = _refusal(core.create_namespaced_pod_eviction, "web", "default", eviction("web"))
    assert (status, body["message"]) == (
        500, "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")


def test_an_evicted_mirror_pod_comes_back_as_its_kubelet_recreates_it(api, core, cloud, kubelets):
    cloud.launch("cp", group="control-plane-us-east-1a", role="ControlPlane")
    kubelets.tick()
    before = core.read_namespaced_pod("kube-apiserver-cp", "kube-system")
    assert "kubernetes.io/config.mirror" in before.metadata.annotations

    core.create_namespaced_pod_eviction("kube-apiserver-cp", "kube-system",
                                        eviction("kube-apiserver-cp", "kube-system"))
    after = core.read_namespaced_pod("kube-apiserver-cp", "kube-system")
    assert after.metadata.uid != before.metadata.uid and after.status.phase == "Running"
    assert [(e.what, e.owner) for e in api.history.of("evicted")] == [("evicted", "Node/cp")]


def test_a_delete_that_leaves_a_budget_short_is_recorded_as_a_violation(api, core, apps, policy, workers):
    apps.create_namespaced_deployment("default", workload("Deployment", "web", replicas=2))
    policy.create_namespaced_pod_disruption_budget("default", budget("web", "web", minAvailable=2))
    victim = _pod_names(core, "web")[0]

    core.delete_namespaced_pod(victim, "default")
    assert [(e.what, e.name, e.detail) for e in api.history.of("budget-violated")] == [
        ("budget-violated", victim, "web: 1 healthy, 2 desired, after deleted")]
