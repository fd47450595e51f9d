"""The traffic Calico needs between machines, whichever role they have.

calico-node runs on every machine and talks to its peers directly: BGP (tcp/179) carries routes when
BIRD is the backend (IP-in-IP mode), pod traffic is tunnelled as IP-in-IP (IP protocol 4) or VXLAN
(udp/4789), Felix reaches Typha on tcp/5473 when Typha runs, and WireGuard encrypts on udp/51820.
IPv6 clusters route pods natively and need none of the tunnels.
"""

from __future__ import annotations

from typing import Any

from kops.networking import FirewallRule

from kops_calico.spec import encapsulation

ROLES = ("ControlPlane", "Node")
BGP_PORT = 179
VXLAN_PORT = 4789
TYPHA_PORT = 5473
WIREGUARD_PORT = 51820


def rules(cluster: Any) -> list[FirewallRule]:
    calico = cluster.spec.networking.calico
    needs: list[tuple[str, int | None, str]] = []
    mode = encapsulation(cluster)
    if mode == "ipip":
        needs += [("tcp", BGP_PORT, "Calico BGP"), ("ipip", None, "Calico IP-in-IP")]
    elif mode == "vxlan":
        needs.append(("udp", VXLAN_PORT, "Calico VXLAN"))
    if calico.typhaReplicas:
        needs.append(("tcp", TYPHA_PORT, "Calico Typha"))
    if calico.wireguardEnabled:
        needs.append(("udp", WIREGUARD_PORT, "Calico WireGuard"))
    rules = [FirewallRule(protocol=protocol, from_role=source, to_role=target, port_from=port, port_to=port,
                          description=description)
             for protocol, port, description in needs for source in ROLES for target in ROLES]
    if mode != "ipip":
        # Upstream opens IP-in-IP from nodes to the control plane for Calico whatever the encapsulation (a mode can
        # change on a running cluster): kept, so clusters have the same rules as upstream's.
        rules.append(FirewallRule("ipip", "Node", "ControlPlane", description="Calico IP-in-IP"))
    return rules
