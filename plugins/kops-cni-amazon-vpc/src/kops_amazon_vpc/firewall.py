"""Pods on nodes have VPC addresses and may serve anything, so nodes reach the control plane on every port."""

from __future__ import annotations

from typing import Any

from kops.networking import FirewallRule

from kops_amazon_vpc.spec import amazon_vpc_of

DESCRIPTION = "amazon-vpc: pods on nodes to pods on the control plane"


def firewall_rules(cluster: Any) -> list[FirewallRule]:
    if amazon_vpc_of(cluster) is None:
        return []
    return [FirewallRule("all", "Node", "ControlPlane", description=DESCRIPTION)]
