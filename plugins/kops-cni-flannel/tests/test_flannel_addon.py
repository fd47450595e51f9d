"""The ``networking.flannel`` add-on: valid for every supported Kubernetes, carrying the cluster's network and
backend and the pinned Flannel images; absent from clusters that use another provider."""

from __future__ import annotations

import json

import pytest
import yaml
from kops_flannel import ADDON_VERSION, FLANNEL_CNI_PLUGIN_IMAGE, FLANNEL_IMAGE


def _addons(cluster):
    from kops.addons import collect

    return {a.name: a for a in collect(cluster)}


def _objects(manifest: str) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


@pytest.mark.parametrize("flannel", [{"backend": "vxlan"}, {"backend": "udp", "iptablesResyncSeconds": 30}])
def test_manifest_is_valid_for_every_supported_kubernetes(make_cluster, schema_problems, flannel):
    assert schema_problems(_addons(make_cluster({"flannel": flannel}))["networking.flannel"].manifest) == []


def test_schema_check_catches_an_invalid_object(schema_problems):
    assert schema_problems("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {}\n")


def test_addon_is_pinned_and_selected_like_upstreams(make_cluster):
    addon = _addons(make_cluster())["networking.flannel"]
    assert (addon.version, addon.source) == (ADDON_VERSION, "flannel")
    assert addon.selector == {"role.kubernetes.io/networking": "1"}
    pod = _objects(addon.manifest)["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"]
    images = {c["image"] for c in pod["containers"] + pod["initContainers"]}
    assert images == {FLANNEL_IMAGE, FLANNEL_CNI_PLUGIN_IMAGE}


@pytest.mark.parametrize("backend", ["vxlan", "udp"])
def test_network_and_backend_reach_flanneld(make_cluster, backend):
    cluster = make_cluster({"flannel": {"backend": backend, "iptablesResyncSeconds": 30}},
                           nonMasqueradeCIDR="10.0.0.0/8")
    objects = _objects(_addons(cluster)["networking.flannel"].manifest)
    net_conf = json.loads(objects["ConfigMap", "kube-flannel-cfg"]["data"]["net-conf.json"])
    assert net_conf == {"Network": "10.0.0.0/8", "EnableNFTables": False, "Backend": {"Type": backend}}
    args = objects["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--iptables-resync=30" in args and "--kube-subnet-mgr" in args


def test_resync_defaults_to_five_seconds(make_cluster):
    objects = _objects(_addons(make_cluster())["networking.flannel"].manifest)
    assert "--iptables-resync=5" in objects["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"][
        "containers"][0]["args"]


def test_no_addon_for_another_provider(make_cluster):
    assert "networking.flannel" not in _addons(make_cluster({"cni": {}}))
