"""The traffic kube-router needs: every machine peers with every other over BGP (tcp/179) to learn pod
routes, and pod traffic between subnets is tunnelled as IP-in-IP (IP protocol 4)."""

from __future__ import annotations

from typing import Any

from kops.networking import FirewallRule

ROLES = ("ControlPlane", "Node")
BGP_PORT = 179


def rules(cluster: Any) -> list[FirewallRule]:
    needs = [("tcp", BGP_PORT, "kube-router BGP"), ("ipip", None, "kube-router IP-in-IP")]
    return [FirewallRule(protocol=protocol, from_role=source, to_role=target, port_from=port, port_to=port,
                         description=description)
            for protocol, port, description in needs for source in ROLES for target in ROLES]
