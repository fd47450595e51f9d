"""The ``networking.flannel`` add-on: valid for every supported Kubernetes, carrying the cluster's network and
backend and the pinned Flannel images; absent from clusters that use another provider."""

from __future__ import annotations

import json

import pytest
import yaml
from kops_flannel import ADDON_VERSION, FLANNEL_CNI_PLUGIN_IMAGE, FLANNEL_IMAGE


def _objects(manifest: str) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


@pytest.mark.parametrize("flannel", [{"backend": "vxlan"}, {"backend": "udp", "iptablesResyncSeconds": 30}])
def test_manifest_is_valid_for_every_supported_kubernetes(addons, make_cluster, schema_problems, flannel):
    assert schema_problems(addons(make_cluster({"flannel": flannel}))["networking.flannel"].manifest) == []


def test_schema_check_catches_an_invalid_object(schema_problems):
    assert schema_problems("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {}\n")


def test_addon_is_pinned_and_selected_like_upstreams(addons, make_cluster):
    addon = addons(make_cluster())["networking.flannel"]
    assert addon.version == ADDON_VERSION
    assert addon.selector == {"role.kubernetes.io/networking": "1"}
    pod = _objects(addon.manifest)["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"]
    images = {c["image"] for c in pod["containers"] + pod["initContainers"]}
    assert images == {FLANNEL_IMAGE, FLANNEL_CNI_PLUGIN_IMAGE}


@pytest.mark.parametrize("backend", ["vxlan", "udp"])
def test_network_and_backend_reach_flanneld(addons, make_cluster, backend):
    cluster = make_cluster({"flannel": {"backend": backend, "iptablesResyncSeconds": 30}},
                           nonMasqueradeCIDR="10.0.0.0/8")
    objects = _objects(addons(cluster)["networking.flannel"].manifest)
    net_conf = json.loads(objects["ConfigMap", "kube-flannel-cfg"]["data"]["net-conf.json"])
    assert net_conf == {"Network": "10.0.0.0/8", "EnableNFTables": False, "Backend": {"Type": backend}}
    args = objects["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--iptables-resync=30" in args and "--kube-subnet-mgr" in args


def test_resync_defaults_to_five_seconds(addons, make_cluster):
    objects = _objects(addons(make_cluster())["networking.flannel"].manifest)
    assert "--iptables-resync=5" in objects["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"][
        "containers"][0]["args"]


@pytest.mark.parametrize("selinux", [True, False])
def test_selinux_hosts_run_flanneld_as_super_privileged(addons, make_cluster, schema_problems, selinux):
    addon = addons(make_cluster(containerd={"selinuxEnabled": selinux}))["networking.flannel"]
    container = _objects(addon.manifest)["DaemonSet", "kube-flannel-ds"]["spec"]["template"]["spec"]["containers"][0]
    assert ("seLinuxOptions" in container["securityContext"]) is selinux
    assert schema_problems(addon.manifest) == []


def test_no_addon_for_another_provider(addons, make_cluster):
    assert "networking.flannel" not in addons(make_cluster({"cni": {}}))
