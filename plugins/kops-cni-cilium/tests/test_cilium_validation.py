"""Invalid Cilium settings are reported with the field path to fix, through the installed plugin's hook."""

from __future__ import annotations

import pytest


def errors(plugin, to_cluster, doc) -> dict[str, str]:
    return {e.path: e.reason for e in plugin.kops_validate(cluster=to_cluster(doc), instance_groups=[])}


def test_a_valid_cluster_has_no_cilium_errors(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"enableNodePort": True, "version": "v1.18.12"}
    cluster_doc["spec"]["kubeProxy"] = {"enabled": False}
    assert errors(plugin, to_cluster, cluster_doc) == {}


@pytest.mark.parametrize("cilium, path, reason", [
    ({"version": "1.18.12"}, "version", "must start with 'v'"),
    ({"version": "v1.17.4"}, "version", "only Cilium 1.18"),
    ({"version": "v1.18"}, "version", "not a semantic version"),
    ({"tunnel": "gre"}, "tunnel", "unsupported value 'gre'"),
    ({"ipam": "azure"}, "ipam", "unsupported value 'azure'"),
    ({"enablePolicy": "sometimes"}, "enablePolicy", "unsupported value"),
    ({"monitorAggregation": "high"}, "monitorAggregation", "unsupported value"),
    ({"bpfLBAlgorithm": "roundrobin"}, "bpfLBAlgorithm", "unsupported value"),
    ({"identityAllocationMode": "kvstore"}, "identityAllocationMode", "etcdManaged"),
    ({"bpfLBSockHostNSOnly": True}, "bpfLBSockHostNSOnly", "bpfLBSock"),
    ({"encryptionType": "wireguard"}, "encryptionType", "enableEncryption"),
    ({"enableEncryption": True, "encryptionType": "macsec"}, "encryptionType", "unsupported value"),
    ({"IPTablesRulesNoinstall": True}, "enableL7Proxy", "iptables rules"),
    ({"clusterID": 300}, "clusterID", "out of range"),
    ({"hubble": {"enabled": True}}, "hubble.enabled", "cert-manager"),
    ({"ingress": {"defaultLoadBalancerMode": "per-node"}}, "ingress.defaultLoadBalancerMode", "unsupported value"),
])
def test_bad_settings_name_their_field(plugin, cluster_doc, to_cluster, cilium, path, reason):
    cluster_doc["spec"]["networking"]["cilium"] = cilium
    found = errors(plugin, to_cluster, cluster_doc)
    assert reason in found.get(f"spec.networking.cilium.{path}", ""), found


def test_hubble_is_fine_with_cert_manager(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"hubble": {"enabled": True}}
    cluster_doc["spec"]["certManager"] = {"enabled": True}
    assert "spec.networking.cilium.hubble.enabled" not in errors(plugin, to_cluster, cluster_doc)


def test_node_port_replacement_needs_kube_proxy_off(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"enableNodePort": True}
    cluster_doc["spec"]["kubeProxy"] = {"enabled": True}
    assert "kube-proxy must be disabled" in errors(plugin, to_cluster, cluster_doc)["spec.kubeProxy.enabled"]
    cluster_doc["spec"]["kubeProxy"] = {"enabled": False}
    assert "spec.kubeProxy.enabled" not in errors(plugin, to_cluster, cluster_doc)


def test_eni_ipam_only_on_aws_and_ipv4(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"ipam": "eni"}
    assert "spec.networking.cilium.ipam" not in errors(plugin, to_cluster, cluster_doc)
    cluster_doc["spec"]["cloudProvider"] = "gce"
    assert errors(plugin, to_cluster, cluster_doc)["spec.networking.cilium.ipam"] == "ENI IPAM is supported only on AWS"
    cluster_doc["spec"]["cloudProvider"] = "aws"
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    assert errors(plugin, to_cluster, cluster_doc)["spec.networking.cilium.ipam"] == "ENI IPAM does not support IPv6"


def test_encryption_is_refused_on_ipv6(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    cluster_doc["spec"]["networking"]["cilium"] = {"enableEncryption": True}
    assert "IPv6" in errors(plugin, to_cluster, cluster_doc)["spec.networking.cilium.enableEncryption"]


def test_managed_etcd_needs_the_cilium_etcd_cluster(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"etcdManaged": True}
    assert "cilium" in errors(plugin, to_cluster, cluster_doc)["spec.etcdClusters"]
    cluster_doc["spec"]["etcdClusters"].append(
        {"name": "cilium", "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-test-1a"}]})
    assert "spec.etcdClusters" not in errors(plugin, to_cluster, cluster_doc)


def test_clusters_without_cilium_get_no_cilium_errors(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    cluster_doc["spec"]["kubeProxy"] = {"enabled": True}
    assert errors(plugin, to_cluster, cluster_doc) == {}
