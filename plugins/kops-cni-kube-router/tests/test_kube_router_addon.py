"""The ``networking.kuberouter`` add-on: valid for every supported Kubernetes, carrying the cluster's service
range and options and the pinned image; absent from clusters that use another provider."""

from __future__ import annotations

import json

import pytest
import yaml
from kops_kube_router import KUBE_ROUTER_IMAGE, KUBE_ROUTER_VERSION


def _objects(manifest: str) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


def _pod(objects) -> dict:
    return objects["DaemonSet", "kube-router"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("kuberouter", [{}, {"useNFTablesForNetpol": True}])
def test_manifest_is_valid_for_every_supported_kubernetes(addons, make_cluster, schema_problems, kuberouter):
    assert schema_problems(addons(make_cluster({"kuberouter": kuberouter}))["networking.kuberouter"].manifest) == []


def test_schema_check_catches_an_invalid_object(schema_problems):
    assert schema_problems("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\n"
                           "rules: [{verbs: get}]\n")


def test_addon_is_pinned_and_selected_like_upstreams(addons, make_cluster):
    addon = addons(make_cluster())["networking.kuberouter"]
    assert addon.version == KUBE_ROUTER_VERSION
    assert addon.selector == {"role.kubernetes.io/networking": "1"}
    pod = _pod(_objects(addon.manifest))
    assert {c["image"] for c in pod["containers"] + pod["initContainers"]} == {KUBE_ROUTER_IMAGE}


def test_service_range_and_options_reach_kube_router(addons, make_cluster):
    cluster = make_cluster({"kuberouter": {"useNFTablesForNetpol": True}}, serviceClusterIPRange="10.96.0.0/12")
    objects = _objects(addons(cluster)["networking.kuberouter"].manifest)
    args = _pod(objects)["containers"][0]["args"]
    assert "--service-cluster-ip-range=10.96.0.0/12" in args
    assert "--use-nftables-for-netpol=true" in args and "--run-service-proxy=true" in args


def test_defaults_match_upstreams(addons, make_cluster):
    objects = _objects(addons(make_cluster())["networking.kuberouter"].manifest)
    args = _pod(objects)["containers"][0]["args"]
    assert "--service-cluster-ip-range=100.64.0.0/13" in args
    assert not any(a.startswith("--use-nftables-for-netpol") for a in args)
    cni = json.loads(objects["ConfigMap", "kube-router-cfg"]["data"]["cni-conf.json"])
    assert cni["plugins"][0]["bridge"] == "kube-bridge"
    subjects = objects["ClusterRoleBinding", "kube-router"]["subjects"]
    assert {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:kube-router"} in subjects


@pytest.mark.parametrize("selinux", [True, False])
def test_selinux_hosts_run_kube_router_as_super_privileged(addons, make_cluster, schema_problems, selinux):
    addon = addons(make_cluster(containerd={"selinuxEnabled": selinux}))["networking.kuberouter"]
    pod = _pod(_objects(addon.manifest))
    assert (pod.get("securityContext", {}).get("seLinuxOptions") == {"type": "spc_t", "level": "s0"}) is selinux
    assert schema_problems(addon.manifest) == []


def test_no_addon_for_another_provider(addons, make_cluster):
    assert "networking.kuberouter" not in addons(make_cluster({"cni": {}}))
