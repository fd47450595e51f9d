"""The traffic Cilium needs between instances, in cloud-neutral terms (the cloud plugin builds the rules)."""

from __future__ import annotations

from typing import Any

from kops.networking import FirewallRule

from kops_cilium.config import ETCD_CILIUM_CLIENT_PORT, HUBBLE_LISTEN_PORT
from kops_cilium.defaults import cilium_of, effective

ROLES = ("ControlPlane", "Node")

#: Cilium's documented firewall requirements.
VXLAN_PORT = 8472
GENEVE_PORT = 6081
HEALTH_PORT = 4240
WIREGUARD_PORT = 51871


def firewall_rules(cluster: Any) -> list[FirewallRule]:
    if cilium_of(cluster) is None:
        return []
    c = effective(cluster)
    rules: list[FirewallRule] = []
    if c["tunnel"] == "vxlan":
        rules += _everywhere("udp", VXLAN_PORT, "cilium VXLAN overlay")
    elif c["tunnel"] == "geneve":
        rules += _everywhere("udp", GENEVE_PORT, "cilium Geneve overlay")
    # Cilium's node health probes run whatever enableEndpointHealthChecking says (that one is per pod).
    rules += _everywhere("tcp", HEALTH_PORT, "cilium health checks")
    if c["hubble"]["enabled"]:
        rules += _everywhere("tcp", HUBBLE_LISTEN_PORT, "hubble peer service")
    if c.get("enableEncryption"):
        if c["encryptionType"] == "wireguard":
            rules += _everywhere("udp", WIREGUARD_PORT, "cilium WireGuard encryption")
        else:
            rules += [FirewallRule("esp", src, dst, description="cilium IPsec encryption")
                      for src in ROLES for dst in ROLES]
    if c.get("etcdManaged"):
        rules += [FirewallRule("tcp", src, "ControlPlane", ETCD_CILIUM_CLIENT_PORT, ETCD_CILIUM_CLIENT_PORT,
                               "cilium agents to the cilium etcd cluster") for src in ROLES]
    return rules


def _everywhere(protocol: str, port: int, description: str) -> list[FirewallRule]:
    """The same port open between every pair of roles: Cilium's agents talk to each other on every instance."""
    return [FirewallRule(protocol, src, dst, port, port, description) for src in ROLES for dst in ROLES]
