"""Nodes and pods through the official client: what a drain and a validation read and write, answered as a real
API server answers (shapes, status codes, Status bodies, resource versions)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from kubernetes.client.exceptions import ApiException

from .objects import STRATEGIC, pod

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"


def _refusal(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(ApiException) as caught:
        call(*args, **kwargs)
    return caught.value.status, json.loads(caught.value.body)


def _names(listed) -> list[str]:
    return [item.metadata.name for item in listed.items]


def _pods(listed) -> list[tuple[str, str]]:
    return [(item.metadata.namespace, item.metadata.name) for item in listed.items]


def test_a_missing_node_is_not_found_with_the_real_status_body(core):
    assert _refusal(core.read_node, "nope") == (404, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": 'nodes "nope" not found',
        "reason": "NotFound", "details": {"name": "nope", "kind": "nodes"}, "code": 404})


def test_nodes_are_listed_by_set_based_label_selectors_and_field_selectors(core, cloud, kubelets):
    cloud.launch("i-a", group="nodes-a")
    cloud.launch("i-b", group="nodes-b")
    cloud.launch("i-c", group="control-plane-us-east-1a", role="ControlPlane")
    kubelets.tick()

    assert _names(core.list_node()) == ["i-a", "i-b", "i-c"]
    assert _names(core.list_node(label_selector="kops.k8s.io/instancegroup in (nodes-a,nodes-b)")) == ["i-a", "i-b"]
    assert _names(core.list_node(label_selector="kops.k8s.io/instancegroup notin (nodes-a)")) == ["i-b", "i-c"]
    assert _names(core.list_node(label_selector="node-role.kubernetes.io/control-plane")) == ["i-c"]
    assert _names(core.list_node(label_selector="!node-role.kubernetes.io/control-plane,"
                                                "kops.k8s.io/instancegroup!=nodes-b")) == ["i-a"]
    assert _names(core.list_node(field_selector="metadata.name=i-b")) == ["i-b"]
    core.patch_node("i-a", {"spec": {"unschedulable": True}})
    assert _names(core.list_node(field_selector="spec.unschedulable=true")) == ["i-a"]
    assert _names(core.list_node(field_selector="spec.unschedulable!=true")) == ["i-b", "i-c"]

    status, body = _refusal(core.list_node, field_selector="spec.providerID=aws:///us-east-1a/i-a")
    assert (status, body["reason"], body["message"]) == (400, "BadRequest",
                                                         "field label not supported: spec.providerID")
    assert _refusal(core.list_node, label_selector="a in b")[0] == 400


def test_a_created_pod_is_pending_then_scheduled_and_running(core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()

    created = core.create_namespaced_pod("default", pod("web"))
    assert (created.status.phase, created.spec.node_name) == ("Pending", None)
    assert created.spec.termination_grace_period_seconds == 30

    running = core.read_namespaced_pod("web", "default")
    assert (running.status.phase, running.spec.node_name) == ("Running", "i-a")
    assert {c.type: c.status for c in running.status.conditions}["Ready"] == "True"
    assert running.status.host_ip == "172.20.0.10" and running.status.pod_ip.startswith("100.96.")
    assert int(running.metadata.resource_version) > int(created.metadata.resource_version)
    assert running.metadata.uid == created.metadata.uid


def test_creating_a_pod_is_refused_as_a_real_server_refuses_it(core):
    core.create_namespaced_pod("default", pod("web"))

    status, body = _refusal(core.create_namespaced_pod, "default", pod("web"))
    assert (status, body["reason"], body["message"]) == (409, "AlreadyExists", 'pods "web" already exists')
    status, body = _refusal(core.create_namespaced_pod, "nope", pod("web", namespace="nope"))
    assert (status, body["message"]) == (404, 'namespaces "nope" not found')
    empty = pod("empty")
    empty["spec"]["containers"] = []
    status, body = _refusal(core.create_namespaced_pod, "default", empty)
    assert (status, body["reason"], body["message"]) == (422, "Invalid",
                                                         'Pod "empty" is invalid: spec.containers: Required value')
    versioned = pod("versioned")
    versioned["metadata"]["resourceVersion"] = "12"
    assert _refusal(core.create_namespaced_pod, "default", versioned)[0] == 400
    assert _refusal(core.api_client.call_api, "/api/v1/pods", "POST", body=pod("anywhere"),
                    header_params={"Content-Type": "application/json"})[0] == 405


def test_pods_across_namespaces_by_node_phase_name_and_namespace(core, cloud, kubelets):
    cloud.launch("i-a")
    cloud.launch("i-b")
    kubelets.tick()
    core.create_namespaced_pod("default", pod("a1", node="i-a"))
    core.create_namespaced_pod("default", pod("b1", node="i-b"))
    core.create_namespaced_pod("kube-system", pod("a2", node="i-a", namespace="kube-system"))
    waiting = pod("waiting")
    waiting["spec"]["nodeSelector"] = {"disk": "ssd"}
    core.create_namespaced_pod("default", waiting)

    assert _pods(core.list_pod_for_all_namespaces(field_selector="spec.nodeName=i-a")) == [
        ("default", "a1"), ("kube-system", "a2")]
    assert _pods(core.list_pod_for_all_namespaces(field_selector="status.phase=Pending")) == [("default", "waiting")]
    assert _pods(core.list_pod_for_all_namespaces(field_selector="metadata.namespace=kube-system")) == [
        ("kube-system", "a2")]
    assert _pods(core.list_pod_for_all_namespaces(field_selector="spec.nodeName=i-a,metadata.namespace!=default")) \
        == [("kube-system", "a2")]
    assert _pods(core.list_namespaced_pod("default", field_selector="metadata.name=b1")) == [("default", "b1")]
    scheduled = {c.type: c for c in core.read_namespaced_pod("waiting", "default").status.conditions}["PodScheduled"]
    assert (scheduled.status, scheduled.reason, scheduled.message) == (
        "False", "Unschedulable", "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")


def test_long_lists_come_in_pages(core):
    for index in range(5):
        core.create_namespaced_pod("default", pod(f"p{index}"))

    first = core.list_pod_for_all_namespaces(limit=2)
    assert (_names(first), first.metadata.remaining_item_count) == (["p0", "p1"], 3)
    names, token = _names(first), first.metadata._continue
    while token:
        page = core.list_pod_for_all_namespaces(limit=2, _continue=token)
        names, token = names + _names(page), page.metadata._continue
    assert names == ["p0", "p1", "p2", "p3", "p4"]


def test_cordoning_and_labelling_a_node_are_recorded(api, core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()

    cordoned = core.patch_node("i-a", {"spec": {"unschedulable": True}}, _content_type=STRATEGIC)
    assert cordoned.spec.unschedulable is True
    taints = [(t.key, t.effect) for t in core.read_node("i-a").spec.taints]
    assert taints == [("node.kubernetes.io/unschedulable", "NoSchedule")]

    labelled = core.patch_node("i-a", {"metadata": {
        "labels": {"node.kubernetes.io/exclude-from-external-load-balancers": ""}, "annotations": {"a": "b"}}},
        _content_type=MERGE)
    assert labelled.metadata.labels["node.kubernetes.io/exclude-from-external-load-balancers"] == ""
    assert labelled.metadata.labels["kops.k8s.io/instancegroup"] == "nodes-us-east-1a"
    assert labelled.metadata.annotations == {"a": "b"}
    unlabelled = core.patch_node("i-a", {"metadata": {"annotations": {"a": None}}}, _content_type=MERGE)
    assert not unlabelled.metadata.annotations

    core.patch_node("i-a", {"spec": {"unschedulable": None}}, _content_type=STRATEGIC)
    assert core.read_node("i-a").spec.taints is None
    assert [(e.what, e.name) for e in api.history.of("cordoned", "uncordoned")] == [
        ("cordoned", "i-a"), ("uncordoned", "i-a")]


def test_taints_are_replaced_whole_by_a_strategic_merge_patch_and_appended_by_a_json_patch(api, core, cloud,
                                                                                             kubelets):
    cloud.launch("cp", group="control-plane-us-east-1a", role="ControlPlane")
    kubelets.tick()
    control_plane = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    update = {"key": "kops.k8s.io/scheduled-for-update", "effect": "PreferNoSchedule"}

    def taints() -> list[dict]:
        return [{"key": t.key, "effect": t.effect} for t in core.read_node("cp").spec.taints or []]

    assert taints() == [control_plane]
    core.patch_node("cp", {"spec": {"taints": [control_plane, update]}})
    assert taints() == [control_plane, update]
    core.patch_node("cp", {"spec": {"taints": [update]}})
    assert taints() == [update]
    core.patch_node("cp", [{"op": "add", "path": "/spec/taints/-", "value": control_plane}])
    assert taints() == [update, control_plane]

    assert [(e.what, e.detail) for e in api.history.of("tainted", "untainted", name="cp")] == [
        ("tainted", "kops.k8s.io/scheduled-for-update:PreferNoSchedule"),
        ("untainted", "node-role.kubernetes.io/control-plane:NoSchedule"),
        ("tainted", "node-role.kubernetes.io/control-plane:NoSchedule")]
    # The client turns a dict sent as a JSON patch into a strategic merge patch: send it as another client would.
    request = urllib.request.Request(f"{api.url}/api/v1/nodes/cp", method="PATCH", data=b'{"spec": {}}',
                                     headers={"Content-Type": JSON_PATCH})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert (caught.value.code, json.load(caught.value)["message"]) == (
        400, "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    assert _refusal(core.patch_node, "cp", [{"op": "test", "path": "/spec/unschedulable", "value": True}])[0] == 422
    assert _refusal(core.patch_node, "nope", {"spec": {"unschedulable": True}})[0] == 404


def test_a_strategic_merge_patch_merges_containers_by_name(apps, core):
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "replicas": 0, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "app:1"}, {"name": "proxy", "image": "proxy:1"}]}}}}
    apps.create_namespaced_deployment("default", deployment)

    def images() -> list[tuple[str, str]]:
        return [(c.name, c.image) for c in apps.read_namespaced_deployment("web", "default").spec.template.spec.containers]

    apps.patch_namespaced_deployment("web", "default", {"spec": {"template": {"spec": {
        "containers": [{"name": "proxy", "image": "proxy:2"}]}}}})
    assert images() == [("app", "app:1"), ("proxy", "proxy:2")]
    apps.patch_namespaced_deployment("web", "default", {"spec": {"template": {"spec": {
        "containers": [{"name": "proxy", "$patch": "delete"}]}}}})
    assert images() == [("app", "app:1")]
    apps.patch_namespaced_deployment("web", "default", {"spec": {"template": {"spec": {
        "containers": [{"name": "other", "image": "other:1"}]}}}}, _content_type=MERGE)
    assert images() == [("other", "other:1")]
    assert apps.read_namespaced_deployment("web", "default").metadata.generation == 4


def test_resource_versions_move_only_on_change_and_guard_updates(core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()
    node = core.read_node("i-a")

    same = core.patch_node("i-a", {"metadata": {"labels": {"kops.k8s.io/instancegroup": "nodes-us-east-1a"}}})
    assert same.metadata.resource_version == node.metadata.resource_version
    changed = core.patch_node("i-a", {"metadata": {"labels": {"team": "a"}}})
    assert int(changed.metadata.resource_version) > int(node.metadata.resource_version)

    node.metadata.labels["team"] = "b"
    status, body = _refusal(core.replace_node, "i-a", node)
    assert (status, body["reason"], body["message"]) == (
        409, "Conflict", 'Operation cannot be fulfilled on nodes "i-a": the object has been modified; please apply '
                         'your changes to the latest version and try again')
    fresh = core.read_node("i-a")
    fresh.metadata.labels["team"] = "b"
    assert core.replace_node("i-a", fresh).metadata.labels["team"] == "b"
    assert int(core.list_node().metadata.resource_version) >= int(core.read_node("i-a").metadata.resource_version)


def test_status_is_written_only_through_its_subresource(core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()
    not_ready = {"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady"}]}}

    core.patch_node("i-a", not_ready)
    assert {c.type: c.status for c in core.read_node("i-a").status.conditions}["Ready"] == "True"
    core.patch_node_status("i-a", not_ready)
    node = core.read_node("i-a")
    assert {c.type: c.status for c in node.status.conditions} == {
        "MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False", "Ready": "False"}
    assert [t.key for t in node.spec.taints] == ["node.kubernetes.io/not-ready"]


def test_a_deleted_pod_terminates_for_its_grace_period(api, clock, core, cloud, kubelets):
    api.pod_stop_delay = None  # containers that ignore SIGTERM: the whole grace period
    cloud.launch("i-a")
    kubelets.tick()
    core.create_namespaced_pod("default", pod("web", grace=20))

    deleted = core.delete_namespaced_pod("web", "default")
    assert (deleted.kind, deleted.metadata.name, deleted.metadata.deletion_grace_period_seconds) == ("Pod", "web", 20)
    assert deleted.metadata.deletion_timestamp is not None
    clock.advance(19)
    assert core.read_namespaced_pod("web", "default").metadata.deletion_timestamp is not None
    core.delete_namespaced_pod("web", "default", grace_period_seconds=60)
    assert core.read_namespaced_pod("web", "default").metadata.deletion_grace_period_seconds == 20
    clock.advance(1)
    assert _refusal(core.read_namespaced_pod, "web", "default")[0] == 404


def test_an_unscheduled_pod_or_a_delete_without_grace_goes_at_once(core, cloud, kubelets):
    core.create_namespaced_pod("default", pod("pending", grace=30))
    core.delete_namespaced_pod("pending", "default")
    assert _refusal(core.read_namespaced_pod, "pending", "default")[0] == 404

    cloud.launch("i-a")
    kubelets.tick()
    core.create_namespaced_pod("default", pod("running", grace=30))
    core.delete_namespaced_pod("running", "default", grace_period_seconds=0)
    assert _refusal(core.read_namespaced_pod, "running", "default")[0] == 404


def test_deleting_a_node_answers_a_status_and_its_pods_are_collected(api, core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()
    core.create_namespaced_pod("default", pod("web", node="i-a"))

    stale = {"preconditions": {"uid": "0000"}}
    status, body = _refusal(core.delete_node, "i-a", body=stale)
    assert (status, body["reason"]) == (409, "Conflict") and "Precondition failed: UID in precondition" in body["message"]
    answer = core.delete_node("i-a")
    assert (answer.kind, answer.status, answer.details.name, answer.details.kind) == ("Status", "Success", "i-a", "nodes")
    assert core.list_pod_for_all_namespaces(field_selector="spec.nodeName=i-a").items == []
    assert [(e.what, e.name) for e in api.history.of("deleted", "pod-lost")] == [("deleted", "i-a"), ("pod-lost", "web")]
    assert _refusal(core.delete_node, "i-a")[0] == 404


def test_tests_can_make_a_pod_unready_or_failed(api, core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()
    core.create_namespaced_pod("default", pod("web"))

    api.set_pod_ready("default", "web", False)
    kubelets.tick()
    unready = core.read_namespaced_pod("web", "default")
    assert {c.type: c.status for c in unready.status.conditions}["Ready"] == "False"
    assert [c.ready for c in unready.status.container_statuses] == [False]
    api.fail_pod("default", "web")
    assert core.read_namespaced_pod("web", "default").status.phase == "Failed"


def test_a_node_takes_a_server_side_apply_of_its_labels(core, cloud, kubelets):
    cloud.launch("i-a")
    kubelets.tick()
    configuration = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "i-a", "labels": {"team": "a"}}}

    applied = core.patch_node("i-a", configuration, field_manager="kops", _content_type=APPLY)
    assert (applied.metadata.labels["team"], applied.metadata.labels["kops.k8s.io/instancegroup"]) == (
        "a", "nodes-us-east-1a")
    assert {c.type: c.status for c in applied.status.conditions}["Ready"] == "True"
    assert [f.manager for f in applied.metadata.managed_fields] == ["kops"]
    assert _refusal(core.patch_node, "i-a", configuration, _content_type=APPLY)[0] == 400
