"""Pods on nodes have VPC addresses: nodes may reach the control plane on every port."""

from __future__ import annotations

from kops.networking import FirewallRule
from kops_amazon_vpc.firewall import DESCRIPTION


def test_nodes_reach_the_control_plane_on_every_port(plugin, cluster_doc, to_cluster):
    found = plugin.kops_firewall_rules(cluster=to_cluster(cluster_doc))
    assert found == [FirewallRule("all", "Node", "ControlPlane", description=DESCRIPTION)]


def test_no_rules_for_other_networking(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert plugin.kops_firewall_rules(cluster=to_cluster(cluster_doc)) == []
