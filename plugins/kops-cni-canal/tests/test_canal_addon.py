"""The ``networking.projectcalico.org.canal`` add-on: valid for every supported Kubernetes, Felix and
flanneld side by side with the cluster's settings and the pinned images; absent for other providers."""

from __future__ import annotations

import json

import pytest
import yaml
from kops_canal import CALICO_VERSION, FLANNEL_IMAGE

ADDON = "networking.projectcalico.org.canal"


def _objects(manifest: str) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


def _containers(objects) -> dict[str, dict]:
    pod = objects["DaemonSet", "canal"]["spec"]["template"]["spec"]
    return {c["name"]: c for c in pod["containers"] + pod["initContainers"]}


@pytest.mark.parametrize("canal", [{}, {"typhaReplicas": 2, "typhaPrometheusMetricsEnabled": True, "mtu": 1400,
                                        "disableFlannelForwardRules": True, "cpuRequest": 1}])
def test_manifest_is_valid_for_every_supported_kubernetes(addons, make_cluster, schema_problems, canal):
    assert schema_problems(addons(make_cluster({"canal": canal}))[ADDON].manifest) == []


def test_schema_check_catches_an_invalid_object(schema_problems):
    assert schema_problems("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\nspec: {}\n")


def test_addon_is_pinned_and_selected_like_upstreams(addons, make_cluster):
    addon = addons(make_cluster())[ADDON]
    assert addon.version == CALICO_VERSION
    assert addon.selector == {"role.kubernetes.io/networking": "1"}
    objects = _objects(addon.manifest)
    images = {c["image"] for c in _containers(objects).values()}
    assert images == {f"docker.io/calico/node:{CALICO_VERSION}", f"docker.io/calico/cni:{CALICO_VERSION}",
                      FLANNEL_IMAGE}
    controllers = objects["Deployment", "calico-kube-controllers"]["spec"]["template"]["spec"]["containers"][0]
    assert controllers["image"] == f"docker.io/calico/kube-controllers:{CALICO_VERSION}"


def test_flannel_overlays_the_non_masquerade_range_and_felix_only_polices(addons, make_cluster):
    objects = _objects(addons(make_cluster(nonMasqueradeCIDR="10.0.0.0/8"))[ADDON].manifest)
    config = objects["ConfigMap", "canal-config"]["data"]
    assert json.loads(config["net-conf.json"]) == {"Network": "10.0.0.0/8", "Backend": {"Type": "vxlan"}}
    assert json.loads(config["cni_network_config"].replace("__CNI_MTU__", "0"))["plugins"][0]["ipam"] == {
        "type": "host-local", "subnet": "usePodCidr"}
    env = {e["name"]: e.get("value") for e in _containers(objects)["calico-node"]["env"]}
    assert env["CALICO_NETWORKING_BACKEND"] == "none"
    assert env["FELIX_DEFAULTENDPOINTTOHOSTACTION"] == "ACCEPT"
    assert "FLANNELD_IPTABLES_FORWARD_RULES" not in {e["name"] for e in _containers(objects)["kube-flannel"]["env"]}
    assert ("Deployment", "calico-typha") not in objects


def test_cluster_values_reach_the_manifest(addons, make_cluster):
    cluster = make_cluster({"canal": {"defaultEndpointToHostAction": "DROP", "logSeveritySys": "WARNING", "mtu": 1400,
                                      "typhaReplicas": 2, "disableFlannelForwardRules": True}})
    objects = _objects(addons(cluster)[ADDON].manifest)
    containers = _containers(objects)
    env = {e["name"]: e.get("value") for e in containers["calico-node"]["env"]}
    assert (env["FELIX_DEFAULTENDPOINTTOHOSTACTION"], env["FELIX_LOGSEVERITYSCREEN"]) == ("DROP", "WARNING")
    assert objects["ConfigMap", "canal-config"]["data"]["veth_mtu"] == "1400"
    flannel_env = {e["name"]: e.get("value") for e in containers["kube-flannel"]["env"]}
    assert flannel_env["FLANNELD_IPTABLES_FORWARD_RULES"] == "false"
    typha = objects["Deployment", "calico-typha"]["spec"]
    assert typha["replicas"] == 2
    assert typha["template"]["spec"]["containers"][0]["image"] == f"docker.io/calico/typha:{CALICO_VERSION}"


def test_no_addon_for_another_provider(addons, make_cluster):
    assert ADDON not in addons(make_cluster({"cni": {}}))
