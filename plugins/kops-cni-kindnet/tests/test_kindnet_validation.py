"""Bad kindnet settings are reported with the field path to fix."""

from __future__ import annotations


def errors(plugin, to_cluster, doc) -> dict[str, str]:
    return {e.path: e.reason for e in plugin.kops_validate(cluster=to_cluster(doc), instance_groups=[])}


def test_non_masquerade_cidrs_must_be_cidrs(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["kindnet"] = {
        "masquerade": {"enabled": True, "nonMasqueradeCIDRs": ["10.0.0.0/8", "10.0.0.300/8", "", "192.168.0.1"]}}
    found = errors(plugin, to_cluster, cluster_doc)
    assert set(found) == {"spec.networking.kindnet.masquerade.nonMasqueradeCIDRs[1]",
                          "spec.networking.kindnet.masquerade.nonMasqueradeCIDRs[3]"}
    assert "'10.0.0.300/8' is not a CIDR" in found["spec.networking.kindnet.masquerade.nonMasqueradeCIDRs[1]"]


def test_cidrs_are_not_checked_without_masquerading(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["kindnet"] = {"masquerade": {"enabled": False, "nonMasqueradeCIDRs": ["bad"]}}
    assert errors(plugin, to_cluster, cluster_doc) == {}


def test_other_networking_is_not_checked(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert errors(plugin, to_cluster, cluster_doc) == {}
