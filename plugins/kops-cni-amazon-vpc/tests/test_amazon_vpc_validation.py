"""The Amazon VPC CNI is refused where it cannot work, with the field path named."""

from __future__ import annotations

PATH = "spec.networking.amazonvpc"


def errors(plugin, to_cluster, doc) -> list[str]:
    found = plugin.kops_validate(cluster=to_cluster(doc), instance_groups=[])
    assert all(e.path == PATH for e in found)
    return [e.reason for e in found]


def test_fine_on_aws(plugin, cluster_doc, to_cluster):
    assert errors(plugin, to_cluster, cluster_doc) == []


def test_refused_on_another_cloud(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["cloudProvider"] = "gce"
    assert errors(plugin, to_cluster, cluster_doc) == ["the Amazon VPC CNI works only on AWS, not on gce"]


def test_refused_on_ipv6_only_clusters(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    assert errors(plugin, to_cluster, cluster_doc) == ["the Amazon VPC CNI does not support IPv6-only clusters"]


def test_other_networking_is_not_checked(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["cloudProvider"] = "gce"
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert errors(plugin, to_cluster, cluster_doc) == []
