"""Pods on nodes have VPC addresses: nodes may reach the control plane on every port."""

from __future__ import annotations

from kops.networking import FirewallRule
from kops.plugins import collect, hook
from kops_amazon_vpc.firewall import DESCRIPTION, firewall_rules


def test_nodes_reach_the_control_plane_on_every_port(cluster_doc, to_cluster):
    found = [r for r in collect(hook().kops_firewall_rules(cluster=to_cluster(cluster_doc)))
             if r.description == DESCRIPTION]
    assert set(found) == {FirewallRule("tcp", "Node", "ControlPlane", 1, 65535, DESCRIPTION),
                          FirewallRule("udp", "Node", "ControlPlane", 1, 65535, DESCRIPTION),
                          FirewallRule("icmp", "Node", "ControlPlane", description=DESCRIPTION)}


def test_no_rules_for_other_networking(cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert firewall_rules(to_cluster(cluster_doc)) == []
