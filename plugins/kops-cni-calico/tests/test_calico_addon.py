"""The ``networking.projectcalico.org`` add-on: valid for every supported Kubernetes, carrying the cluster's
settings and the pinned Calico images; absent from clusters that use another provider."""

from __future__ import annotations

import pytest
import yaml
from kops_calico import CALICO_VERSION

IMAGES = {f"docker.io/calico/{c}:{CALICO_VERSION}" for c in ("node", "cni", "kube-controllers")}


def _objects(manifest: str) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


def _node_env(objects) -> dict[str, str]:
    container = objects["DaemonSet", "calico-node"]["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container["env"]}


def _images(objects) -> set[str]:
    found = set()
    for obj in objects.values():
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        found |= {c["image"] for c in pod.get("containers", []) + pod.get("initContainers", [])}
    return found


SETTINGS = [
    {},
    {"bpfEnabled": True, "typhaReplicas": 3, "typhaPrometheusMetricsEnabled": True, "mtu": 8912,
     "prometheusMetricsEnabled": True, "nftablesMode": "Enabled", "allowIPForwarding": True, "cpuRequest": "500m"},
    {"encapsulationMode": "vxlan", "wireguardEnabled": True},
]


@pytest.mark.parametrize("calico", SETTINGS)
def test_manifest_is_valid_for_every_supported_kubernetes(addons, make_cluster, schema_problems, calico):
    addon = addons(make_cluster({"calico": calico}))["networking.projectcalico.org"]
    assert schema_problems(addon.manifest) == []


def test_ipv6_manifest_is_valid(addons, make_cluster, schema_problems):
    addon = addons(make_cluster(nonMasqueradeCIDR="::/0"))["networking.projectcalico.org"]
    assert schema_problems(addon.manifest) == []


def test_schema_check_catches_an_invalid_object(schema_problems):
    bad = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec: {replicas: 2}\n"
    assert schema_problems(bad)


def test_addon_is_pinned_and_selected_like_upstreams(addons, make_cluster):
    addon = addons(make_cluster())["networking.projectcalico.org"]
    assert addon.version == CALICO_VERSION
    assert addon.selector == {"role.kubernetes.io/networking": "1"}
    objects = _objects(addon.manifest)
    assert _images(objects) == IMAGES
    assert all(o["metadata"]["labels"]["role.kubernetes.io/networking"] == "1" for o in objects.values())


def test_default_cluster_gets_ip_in_ip_over_bgp_with_the_derived_pod_pool(addons, make_cluster):
    objects = _objects(addons(make_cluster())["networking.projectcalico.org"].manifest)
    env = _node_env(objects)
    assert env["CALICO_IPV4POOL_CIDR"] == "100.96.0.0/11"
    assert (env["CALICO_IPV4POOL_IPIP"], env["CALICO_IPV4POOL_VXLAN"]) == ("CrossSubnet", "Never")
    assert env["FELIX_AWSSRCDSTCHECK"] == "Disable"
    assert objects["ConfigMap", "calico-config"]["data"]["calico_backend"] == "bird"
    assert ("Deployment", "calico-typha") not in objects
    assert ("ConfigMap", "kubernetes-services-endpoint") not in objects


def test_cluster_values_reach_the_manifest(addons, make_cluster):
    cluster = make_cluster({"calico": {"encapsulationMode": "vxlan", "mtu": 8912, "typhaReplicas": 2,
                                       "bpfEnabled": True, "registry": "registry.example.com",
                                       "version": "v3.30.9"}},
                           kubeProxy={"enabled": False}, kubeControllerManager={"clusterCIDR": "10.128.0.0/14"},
                           egressProxy={"httpProxy": {"host": "proxy.example.com", "port": 3128}})
    addon = addons(cluster)["networking.projectcalico.org"]
    objects = _objects(addon.manifest)
    env = _node_env(objects)
    assert env["CALICO_IPV4POOL_CIDR"] == "10.128.0.0/14"
    assert (env["CALICO_IPV4POOL_IPIP"], env["CALICO_IPV4POOL_VXLAN"]) == ("Never", "CrossSubnet")
    assert env["FELIX_BPFENABLED"] == "true"
    assert env["http_proxy"] == "http://proxy.example.com:3128"
    config = objects["ConfigMap", "calico-config"]["data"]
    assert (config["calico_backend"], config["veth_mtu"], config["typha_service_name"]) == ("vxlan", "8912",
                                                                                            "calico-typha")
    assert objects["Deployment", "calico-typha"]["spec"]["replicas"] == 2
    endpoint = objects["ConfigMap", "kubernetes-services-endpoint"]["data"]
    assert endpoint["KUBERNETES_SERVICE_HOST"] == "api.internal.calico.example.com"
    assert addon.version == "v3.30.9"
    assert "registry.example.com/calico/typha:v3.30.9" in _images(objects)


def test_ipv6_cluster_uses_host_local_addresses_without_a_pool(addons, make_cluster):
    objects = _objects(addons(make_cluster(nonMasqueradeCIDR="::/0"))["networking.projectcalico.org"].manifest)
    env = _node_env(objects)
    assert "CALICO_IPV4POOL_CIDR" not in env
    assert (env["IP"], env["IP6"], env["NO_DEFAULT_POOLS"], env["FELIX_IPV6SUPPORT"]) == ("none", "autodetect",
                                                                                           "true", "true")
    assert objects["ConfigMap", "calico-config"]["data"]["calico_backend"] == "none"
    assert '"usePodCidrIPv6"' in objects["ConfigMap", "calico-config"]["data"]["cni_network_config"]


def test_completed_cluster_pools_pods_in_the_controller_managers_range(addons, spec_tree, complete, schema_problems):
    """The whole completion (core's rules and Calico's) feeds the manifest the range pods really get."""
    from kops import api

    tree = complete(spec_tree(nonMasqueradeCIDR="10.0.0.0/8"))
    addon = addons(api.from_dict(tree))["networking.projectcalico.org"]
    cluster_cidr = tree["spec"]["kubeControllerManager"]["clusterCIDR"]
    assert _node_env(_objects(addon.manifest))["CALICO_IPV4POOL_CIDR"] == cluster_cidr == "10.128.0.0/9"
    assert schema_problems(addon.manifest) == []


def test_no_addon_for_another_provider(addons, make_cluster):
    assert "networking.projectcalico.org" not in addons(make_cluster({"cni": {}}))
