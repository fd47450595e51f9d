"""The networking.cilium.io add-on: valid Kubernetes objects, pinned images, and the cluster's settings."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml
from kops.addons import call_hook

KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"]
#: Custom resources of other projects, which kubernetes-validate has no schema for.
FOREIGN_KINDS = {"Certificate", "GatewayClass"}

SETTINGS = {
    "default": {},
    "node port replacement": {"enableNodePort": True},
    "managed etcd": {"etcdManaged": True, "identityAllocationMode": "kvstore"},
    "eni": {"ipam": "eni"},
    "everything": {"hubble": {"metrics": ["dns", "drop"]}, "ingress": {"enforceHttps": True},
                   "gatewayAPI": {}, "enablePrometheusMetrics": True, "metrics": ["+cilium_foo"], "debug": True,
                   "enableEncryption": True, "agentPodAnnotations": {"team": "net"},
                   "operatorPodAnnotations": {"count": "3"}, "chainingMode": "portmap"},
    "wireguard": {"enableEncryption": True, "encryptionType": "wireguard"},
}


def cilium_addon(plugin, to_cluster, doc):
    found = call_hook(plugin.kops_addons, to_cluster(doc))
    assert [a.name for a in found] == ["networking.cilium.io"]
    return found[0]


def objects(addon) -> list[dict]:
    return [d for d in yaml.safe_load_all(addon.manifest) if d]


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_manifest_is_strictly_valid_for_supported_kubernetes(plugin, cluster_doc, to_cluster, settings):
    cluster_doc["spec"]["networking"]["cilium"] = settings
    cluster_doc["spec"]["certManager"] = {"enabled": True}
    docs = objects(cilium_addon(plugin, to_cluster, cluster_doc))
    for doc in docs:
        if doc["kind"] in FOREIGN_KINDS:
            continue
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    assert {d["kind"] for d in docs} >= {"ServiceAccount", "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Role",
                                         "RoleBinding", "DaemonSet", "Deployment", "PodDisruptionBudget"}


def test_addon_identity(plugin, cluster_doc, to_cluster):
    addon = cilium_addon(plugin, to_cluster, cluster_doc)
    assert addon.version.startswith("1.18.12-")
    assert addon.selector == {"role.kubernetes.io/networking": "1"}
    for doc in objects(addon):
        assert doc["metadata"]["labels"]["role.kubernetes.io/networking"] == "1"


def test_images_are_pinned_and_follow_registry_and_version(plugin, cluster_doc, to_cluster):
    images = _images(objects(cilium_addon(plugin, to_cluster, cluster_doc)))
    assert images == {"quay.io/cilium/cilium:v1.18.12", "quay.io/cilium/operator:v1.18.12"}

    cluster_doc["spec"]["networking"]["cilium"] = {"registry": "registry.example.com", "version": "v1.18.3",
                                                   "hubble": {}}
    cluster_doc["spec"]["certManager"] = {"enabled": True}
    images = _images(objects(cilium_addon(plugin, to_cluster, cluster_doc)))
    assert images == {f"registry.example.com/cilium/{i}:v1.18.3" for i in ("cilium", "operator", "hubble-relay")}


def test_config_reflects_the_cluster(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"enableNodePort": True, "extraConfig": {"enable-policy": "never"}}
    config = _named(objects(cilium_addon(plugin, to_cluster, cluster_doc)), "ConfigMap", "cilium-config")["data"]
    assert config["kube-proxy-replacement"] == "true"
    assert (config["routing-mode"], config["tunnel-protocol"]) == ("tunnel", "vxlan")
    assert (config["enable-ipv4"], config["enable-ipv6"], config["ipam"]) == ("true", "false", "kubernetes")
    assert config["enable-policy"] == "never"  # extraConfig overrides what kops writes
    assert all(isinstance(v, str) for v in config.values())


def test_agents_reach_the_api_by_its_internal_name(plugin, cluster_doc, to_cluster):
    agent = _named(objects(cilium_addon(plugin, to_cluster, cluster_doc)), "DaemonSet", "cilium")
    env = {e["name"]: e.get("value") for e in agent["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["KUBERNETES_SERVICE_HOST"] == "api.internal.net.example.com"


def test_managed_etcd_points_at_the_cilium_etcd_cluster(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"etcdManaged": True}
    docs = objects(cilium_addon(plugin, to_cluster, cluster_doc))
    config = _named(docs, "ConfigMap", "cilium-config")["data"]
    assert config["kvstore"] == "etcd"
    assert "https://api.internal.net.example.com:4003" in config["etcd-config"]
    volumes = {v["name"] for v in _named(docs, "Deployment", "cilium-operator")["spec"]["template"]["spec"]["volumes"]}
    assert {"etcd-config-path", "etcd-secrets"} <= volumes


def test_eni_mode_tags_enis_with_the_cluster(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"ipam": "eni"}
    cluster_doc["spec"]["cloudLabels"] = {"team": "net"}
    config = _named(objects(cilium_addon(plugin, to_cluster, cluster_doc)), "ConfigMap", "cilium-config")["data"]
    assert config["eni-tags"] == "KubernetesCluster=net.example.com,team=net"
    assert config["routing-mode"] == "native"


def test_pod_annotations_and_operator_replicas(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"agentPodAnnotations": {"a": "1"}, "operatorPodAnnotations": {"b": "2"}}
    for etcd in cluster_doc["spec"]["etcdClusters"]:
        etcd["etcdMembers"] = [{"name": z, "instanceGroup": f"control-plane-{z}"} for z in "abc"]
    docs = objects(cilium_addon(plugin, to_cluster, cluster_doc))
    agent, operator = _named(docs, "DaemonSet", "cilium"), _named(docs, "Deployment", "cilium-operator")
    assert agent["spec"]["template"]["metadata"]["annotations"]["a"] == "1"
    assert operator["spec"]["template"]["metadata"]["annotations"] == {"b": "2"}
    assert operator["spec"]["replicas"] == 2


def test_no_addon_for_other_networking(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert call_hook(plugin.kops_addons, to_cluster(cluster_doc)) == []


def _images(docs: list[dict]) -> set[str]:
    return {c["image"] for d in docs if d["kind"] in ("DaemonSet", "Deployment")
            for c in d["spec"]["template"]["spec"]["containers"] + d["spec"]["template"]["spec"].get("initContainers", [])}


def _named(docs: list[dict], kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _stored(value: bytes):
    import uuid

    from kops.addons import ClusterSecrets
    from kops.pki.secrets import put_secret
    from kops.state import open_store

    store = open_store(f"memfs://cilium-{uuid.uuid4().hex}")
    put_secret(store, "net.example.com", "ciliumpassword", value)
    return ClusterSecrets(store, "net.example.com")


def test_ipsec_secret_carries_the_stored_keys(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"enableEncryption": True}
    [addon] = call_hook(plugin.kops_addons, to_cluster(cluster_doc),
                        _stored(b'keys: "3+ rfc4106(gcm(aes)) abcdef 128"\n'))
    assert addon.private
    found = {(d["kind"], d["metadata"]["name"]): d for d in objects(addon)}
    assert found["Secret", "cilium-ipsec-keys"]["stringData"] == {"keys": "3+ rfc4106(gcm(aes)) abcdef 128"}


@pytest.mark.parametrize("stored, reason", [
    (b"keys: [1, 2]\n", "keys: required"),
    (b'keys: "3+ rfc4106(gcm(aes)) abcdef 128"\nspi: 3\n', "spi: expected text"),
])
def test_a_stored_secret_cilium_cannot_read_is_refused_naming_it(plugin, cluster_doc, to_cluster, stored, reason):
    from kops.errors import KopsError

    cluster_doc["spec"]["networking"]["cilium"] = {"enableEncryption": True}
    with pytest.raises(KopsError, match="secret ciliumpassword") as refused:
        call_hook(plugin.kops_addons, to_cluster(cluster_doc), _stored(stored))
    assert reason in str(refused.value) and "\n" not in str(refused.value)
