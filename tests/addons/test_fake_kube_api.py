"""The fake API server answers like a real one where kops relies on it: discovery, apply rules, errors, lists by
label selector and deletes (pods, nodes, evictions and budgets are tested in tests/kube_api/)."""

from __future__ import annotations

import json

import pytest
from kubernetes.client.exceptions import ApiException

APPLY = "application/apply-patch+yaml"
CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "kube-system"},
              "data": {"a": "1"}}


def _call(api, method, path, body=None, content_type=None, query=None):
    headers = {"Accept": "application/json", **({"Content-Type": content_type} if content_type else {})}
    response = api.api_client().call_api(path, method, query_params=query or [], header_params=headers, body=body,
                                         _preload_content=False, _return_http_data_only=True)
    return json.loads(response.data)


def _status(api, *args, **kwargs) -> int:
    with pytest.raises(ApiException) as caught:
        _call(api, *args, **kwargs)
    return caught.value.status


def test_discovery_lists_groups_and_their_resources(fake_api):
    assert _call(fake_api, "GET", "/api")["versions"] == ["v1"]
    groups = {g["name"] for g in _call(fake_api, "GET", "/apis")["groups"]}
    assert {"apps", "rbac.authorization.k8s.io", "storage.k8s.io"} <= groups
    resources = {r["name"]: r for r in _call(fake_api, "GET", "/apis/apps/v1")["resources"]}
    assert (resources["deployments"]["kind"], resources["deployments"]["namespaced"]) == ("Deployment", True)
    assert resources["deployments/status"]["kind"] == "Deployment"


def test_apply_creates_then_updates_and_needs_a_field_manager(fake_api):
    path = "/api/v1/namespaces/kube-system/configmaps/x"

    assert _status(fake_api, "PATCH", path, CONFIG_MAP, APPLY) == 400
    created = _call(fake_api, "PATCH", path, CONFIG_MAP, APPLY, [("fieldManager", "kops")])
    assert fake_api.requests[-1].status == 201
    updated = _call(fake_api, "PATCH", path, {**CONFIG_MAP, "data": {"a": "2"}}, APPLY, [("fieldManager", "kops")])
    assert fake_api.requests[-1].status == 200
    assert updated["data"] == {"a": "2"}
    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert _call(fake_api, "GET", path)["data"] == {"a": "2"}


def test_namespaced_objects_need_their_namespace(fake_api):
    body = {**CONFIG_MAP, "metadata": {"name": "x", "namespace": "nope"}}
    assert _status(fake_api, "PATCH", "/api/v1/namespaces/nope/configmaps/x", body, APPLY,
                   [("fieldManager", "kops")]) == 404


def test_patches_need_an_existing_object_and_a_known_patch_type(fake_api):
    patch = {"metadata": {"annotations": {"a": "b"}}}
    assert _status(fake_api, "PATCH", "/api/v1/namespaces/missing", patch, "application/merge-patch+json") == 404
    assert _call(fake_api, "PATCH", "/api/v1/namespaces/default", patch,
                 "application/merge-patch+json")["metadata"]["annotations"] == {"a": "b"}
    assert _status(fake_api, "PATCH", "/api/v1/namespaces/default", "a: b", "text/plain") == 415


def test_a_custom_resource_definition_adds_its_kind(fake_api):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget", "plural": "widgets"},
                    "versions": [{"name": "v1", "served": True, "storage": True}]}}
    assert _status(fake_api, "GET", "/apis/example.com/v1") == 404
    _call(fake_api, "PATCH", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", crd,
          APPLY, [("fieldManager", "kops")])
    assert [r["kind"] for r in _call(fake_api, "GET", "/apis/example.com/v1")["resources"]] == ["Widget"]
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}
    _call(fake_api, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", widget,
          APPLY, [("fieldManager", "kops")])
    assert fake_api.get("example.com/v1", "Widget", "w", "default")["metadata"]["name"] == "w"


def _config_map(api, name, namespace, labels):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace,
                                                                  "labels": labels}}
    _call(api, "PATCH", f"/api/v1/namespaces/{namespace}/configmaps/{name}", body, APPLY, [("fieldManager", "t")])


def _listed(api, path, selector=None):
    query = [("labelSelector", selector)] if selector is not None else []
    return [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in _call(api, "GET", path, query=query)["items"]]


def test_lists_filter_by_a_label_selector(fake_api):
    _config_map(fake_api, "a", "kube-system", {"app": "x", "tier": "web"})
    _config_map(fake_api, "b", "kube-system", {"app": "x"})
    _config_map(fake_api, "c", "default", {"app": "y"})
    assert _listed(fake_api, "/api/v1/configmaps") == [("default", "c"), ("kube-system", "a"), ("kube-system", "b")]
    assert _listed(fake_api, "/api/v1/configmaps", "app=x") == [("kube-system", "a"), ("kube-system", "b")]
    assert _listed(fake_api, "/api/v1/configmaps", "app==x,tier=web") == [("kube-system", "a")]
    assert _listed(fake_api, "/api/v1/configmaps", "app!=x") == [("default", "c")]
    assert _listed(fake_api, "/api/v1/configmaps", "tier") == [("kube-system", "a")]
    assert _listed(fake_api, "/api/v1/configmaps", "!tier") == [("default", "c"), ("kube-system", "b")]
    assert _listed(fake_api, "/api/v1/namespaces/default/configmaps", "app=x") == []
    assert fake_api.requests[-1].query["labelSelector"] == ["app=x"]
    assert _listed(fake_api, "/api/v1/configmaps", "app in (x,y),tier notin (web)") == [("default", "c"),
                                                                                         ("kube-system", "b")]
    assert _status(fake_api, "GET", "/api/v1/configmaps", query=[("labelSelector", "app in x")]) == 400


def test_delete_removes_one_object_and_a_missing_one_is_not_found(fake_api):
    _config_map(fake_api, "a", "kube-system", {})
    _config_map(fake_api, "b", "kube-system", {})
    path = "/api/v1/namespaces/kube-system/configmaps/a"
    answer = _call(fake_api, "DELETE", path, query=[("propagationPolicy", "Background")])
    assert (answer["kind"], answer["status"], answer["details"]["name"]) == ("Status", "Success", "a")
    assert fake_api.get("v1", "ConfigMap", "a", "kube-system") is None
    assert fake_api.get("v1", "ConfigMap", "b", "kube-system") is not None
    assert [(r.path, r.query, r.status) for r in fake_api.deletes()] == [
        (path, {"propagationPolicy": ["Background"]}, 200)]
    assert _status(fake_api, "DELETE", path) == 404
    assert _status(fake_api, "DELETE", "/api/v1/namespaces/kube-system/configmaps") == 405
