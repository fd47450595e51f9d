"""The Amazon VPC CNI is refused where it cannot work, with the field path named."""

from __future__ import annotations

from kops.validation import problems

PATH = "spec.networking.amazonvpc"


def errors(to_cluster, doc) -> list[str]:
    return [e.reason for e in problems(to_cluster(doc), []) if e.path == PATH]


def test_fine_on_aws(cluster_doc, to_cluster):
    assert errors(to_cluster, cluster_doc) == []


def test_refused_on_another_cloud(cluster_doc, to_cluster):
    cluster_doc["spec"]["cloudProvider"] = "gce"
    assert errors(to_cluster, cluster_doc) == ["the Amazon VPC CNI works only on AWS, not on gce"]


def test_refused_on_ipv6_only_clusters(cluster_doc, to_cluster):
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    assert errors(to_cluster, cluster_doc) == ["the Amazon VPC CNI does not support IPv6-only clusters"]


def test_other_networking_is_not_checked(cluster_doc, to_cluster):
    from kops_amazon_vpc.validation import validate

    cluster_doc["spec"]["cloudProvider"] = "gce"
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert validate(to_cluster(cluster_doc)) == []
