"""The completed spec carries upstream kOps's Cilium defaults, and never loses what the user set."""

from __future__ import annotations

import copy

import pytest
import yaml
from kops.inference import InferenceContext, run_stage
from kops.testing import upstream

UPSTREAM_CASES = ["privatecilium", "privateciliumadvanced", "privatecilium-eni", "minimal-ipv6-cilium"]


def complete(cluster: dict) -> dict:
    run_stage("complete", InferenceContext(cluster=cluster))
    return cluster["spec"]


@pytest.mark.parametrize("case", UPSTREAM_CASES)
def test_completed_cilium_section_matches_upstream(case):
    folder = upstream.require() / "update_cluster" / case
    cluster = next(d for d in yaml.safe_load_all((folder / "in-v1alpha2.yaml").read_text()) if d["kind"] == "Cluster")
    expected = yaml.safe_load(next((folder / "data").glob("*cluster-completed.spec_content")).read_text())
    assert complete(cluster)["networking"]["cilium"] == expected["spec"]["networking"]["cilium"]


def test_defaults_of_a_new_cluster(cluster_doc):
    cilium = complete(cluster_doc)["networking"]["cilium"]
    assert cilium["version"] == "v1.18.12"
    assert (cilium["ipam"], cilium["tunnel"], cilium["disableMasquerade"], cilium["enableBPFMasquerade"]) == (
        "kubernetes", "vxlan", False, False)
    assert (cilium["cpuRequest"], cilium["memoryRequest"]) == ("25m", "128Mi")
    assert cilium["hubble"] == {"enabled": False}
    assert cilium["ingress"] == {"enabled": False}
    assert cilium["gatewayAPI"] == {"enabled": False}


def test_eni_routes_natively_and_masquerades_in_ebpf(cluster_doc):
    cluster_doc["spec"]["networking"]["cilium"] = {"ipam": "eni"}
    cilium = complete(cluster_doc)["networking"]["cilium"]
    assert (cilium["tunnel"], cilium["enableBPFMasquerade"]) == ("disabled", True)


def test_ipv6_clusters_neither_tunnel_nor_masquerade(cluster_doc):
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    cilium = complete(cluster_doc)["networking"]["cilium"]
    assert (cilium["tunnel"], cilium["disableMasquerade"]) == ("disabled", True)


def test_user_values_stand(cluster_doc):
    cluster_doc["spec"]["networking"]["cilium"] = {
        "tunnel": "geneve", "version": "v1.18.3", "enableL7Proxy": False, "hubble": {}, "ingress": {"enabled": False},
        "enableEncryption": True, "encryptionType": "wireguard", "cpuRequest": "100m",
    }
    cilium = complete(cluster_doc)["networking"]["cilium"]
    assert (cilium["tunnel"], cilium["version"], cilium["enableL7Proxy"], cilium["cpuRequest"]) == (
        "geneve", "v1.18.3", False, "100m")
    assert cilium["hubble"] == {"enabled": True}  # a section the user wrote is switched on
    assert cilium["ingress"] == {"enabled": False}
    assert cilium["encryptionType"] == "wireguard"


def test_encryption_defaults_to_ipsec(cluster_doc):
    cluster_doc["spec"]["networking"]["cilium"] = {"enableEncryption": True}
    assert complete(cluster_doc)["networking"]["cilium"]["encryptionType"] == "ipsec"


def test_kube_proxy_is_switched_off_only_when_cilium_replaces_it(cluster_doc):
    replacing = copy.deepcopy(cluster_doc)
    replacing["spec"]["networking"]["cilium"] = {"enableNodePort": True}
    assert complete(replacing)["kubeProxy"]["enabled"] is False

    assert "enabled" not in complete(cluster_doc).get("kubeProxy", {})


def test_other_networking_is_left_alone(cluster_doc):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    spec = complete(cluster_doc)
    assert spec["networking"] == {"cni": {}}
    assert "enabled" not in spec.get("kubeProxy", {})
