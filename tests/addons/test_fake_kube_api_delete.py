"""The fake API server's lists by label selector and deletes answer like a real server's."""

from __future__ import annotations

import json

import pytest
from kubernetes.client.exceptions import ApiException

APPLY = "application/apply-patch+yaml"


def _call(api, method, path, body=None, content_type=None, query=None):
    headers = {"Accept": "application/json", **({"Content-Type": content_type} if content_type else {})}
    response = api.api_client().call_api(path, method, query_params=query or [], header_params=headers, body=body,
                                         _preload_content=False, _return_http_data_only=True)
    return json.loads(response.data)


def _status(api, *args, **kwargs) -> int:
    with pytest.raises(ApiException) as caught:
        _call(api, *args, **kwargs)
    return caught.value.status


def _config_map(api, name, namespace, labels):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace,
                                                                  "labels": labels}}
    _call(api, "PATCH", f"/api/v1/namespaces/{namespace}/configmaps/{name}", body, APPLY, [("fieldManager", "t")])


def _listed(api, path, selector=None):
    query = [("labelSelector", selector)] if selector is not None else []
    return [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in _call(api, "GET", path, query=query)["items"]]


def test_lists_filter_by_an_equality_based_label_selector(fake_api):
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
    assert _status(fake_api, "GET", "/api/v1/configmaps", query=[("labelSelector", "app in (x,y)")]) == 400


def test_delete_removes_one_object_and_a_missing_one_is_not_found(fake_api):
    _config_map(fake_api, "a", "kube-system", {})
    _config_map(fake_api, "b", "kube-system", {})
    path = "/api/v1/namespaces/kube-system/configmaps/a"
    assert _call(fake_api, "DELETE", path, query=[("propagationPolicy", "Background")])["metadata"]["name"] == "a"
    assert fake_api.get("v1", "ConfigMap", "a", "kube-system") is None
    assert fake_api.get("v1", "ConfigMap", "b", "kube-system") is not None
    assert [(r.path, r.query, r.status) for r in fake_api.deletes()] == [
        (path, {"propagationPolicy": ["Background"]}, 200)]
    assert _status(fake_api, "DELETE", path) == 404
    assert _status(fake_api, "DELETE", "/api/v1/namespaces/kube-system/configmaps") == 405
