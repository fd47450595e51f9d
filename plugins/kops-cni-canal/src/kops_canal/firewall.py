"""The traffic Canal needs between machines: Flannel's VXLAN tunnel, and Felix to Typha when Typha runs.

Canal distributes no routes (no BGP) and uses no IP-in-IP: Flannel's overlay carries every pod packet.
"""

from __future__ import annotations

from typing import Any

from kops.networking import FirewallRule

from kops_canal import TYPHA_PORT, VXLAN_PORT

ROLES = ("ControlPlane", "Node")


def rules(cluster: Any) -> list[FirewallRule]:
    needs = [("udp", VXLAN_PORT, "Canal (Flannel VXLAN)")]
    if cluster.spec.networking.canal.typhaReplicas:
        needs.append(("tcp", TYPHA_PORT, "Canal Typha"))
    return [FirewallRule(protocol=protocol, from_role=source, to_role=target, port_from=port, port_to=port,
                         description=description)
            for protocol, port, description in needs for source in ROLES for target in ROLES]
