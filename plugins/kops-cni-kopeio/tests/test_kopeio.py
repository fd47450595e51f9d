"""kopeio networking: what create writes, IPv6 refused, the agent's add-on, and VXLAN between instances."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml
from kops.inference import InferenceContext, run_stage
from kops.networking import FirewallRule

KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"]
PAIRS = {("ControlPlane", "ControlPlane"), ("ControlPlane", "Node"), ("Node", "ControlPlane"), ("Node", "Node")}


@pytest.mark.parametrize("name", ["kopeio", "kopeio-vxlan"])
def test_both_names_write_an_empty_kopeio_section(create_cluster, name):
    assert create_cluster("--networking", name)["spec"]["networking"] == {"kopeio": {}}


def test_completion_leaves_the_section_empty_and_cloud_routes_off(cluster_doc):
    run_stage("complete", InferenceContext(cluster=cluster_doc))
    assert cluster_doc["spec"]["networking"] == {"kopeio": {}}
    assert cluster_doc["spec"]["kubeControllerManager"]["configureCloudRoutes"] is False


def test_ipv6_only_clusters_are_refused(plugin, cluster_doc, to_cluster):
    assert plugin.kops_validate(cluster=to_cluster(cluster_doc), instance_groups=[]) == []
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    found = plugin.kops_validate(cluster=to_cluster(cluster_doc), instance_groups=[])
    assert [(e.path, e.reason) for e in found] == [
        ("spec.networking.kopeio", "kopeio networking does not support IPv6-only clusters")]


def test_manifest_is_strictly_valid_and_pins_the_agent(plugin, cluster_doc, to_cluster):
    found = plugin.kops_addons(cluster=to_cluster(cluster_doc))
    assert [a.name for a in found] == ["networking.kope.io"]
    assert found[0].selector == {"role.kubernetes.io/networking": "1"}
    docs = [d for d in yaml.safe_load_all(found[0].manifest) if d]
    for doc in docs:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    agent = next(d for d in docs if d["kind"] == "DaemonSet")
    assert agent["spec"]["template"]["spec"]["containers"][0]["image"] == "kopeio/networking-agent:1.0.20181028"
    assert {d["kind"] for d in docs} == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"}


def test_vxlan_between_all_instances(plugin, cluster_doc, to_cluster):
    found = plugin.kops_firewall_rules(cluster=to_cluster(cluster_doc))
    assert {(r.from_role, r.to_role) for r in found} == PAIRS
    assert {(r.protocol, r.port_from, r.port_to) for r in found} == {("udp", 4789, 4789)}
    assert all(isinstance(r, FirewallRule) for r in found)


def test_nothing_for_other_networking(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    cluster = to_cluster(cluster_doc)
    assert plugin.kops_validate(cluster=cluster, instance_groups=[]) == []
    assert (plugin.kops_addons(cluster=cluster), plugin.kops_firewall_rules(cluster=cluster)) == ([], [])
