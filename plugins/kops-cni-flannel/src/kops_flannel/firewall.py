"""The traffic Flannel needs: flanneld on every machine tunnels pod traffic to its peers over UDP."""

from __future__ import annotations

from typing import Any

from kops.networking import FirewallRule

from kops_flannel import BACKEND_PORTS

ROLES = ("ControlPlane", "Node")


def rules(cluster: Any) -> list[FirewallRule]:
    backend = cluster.spec.networking.flannel.backend
    port = BACKEND_PORTS.get(backend or "")
    if port is None:
        return []  # no tunnel to open for a backend validation rejects
    return [FirewallRule(protocol="udp", from_role=source, to_role=target, port_from=port, port_to=port,
                         description=f"Flannel {backend}")
            for source in ROLES for target in ROLES]
