"""Reading a cluster's Calico settings the way upstream does, shared by the manifest, checks and firewall.

Functions here take plain values or a :class:`kops.api.Cluster` so that inference (which works on the
YAML tree) and everything else (which works on the model) derive the same defaults.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.errors import KopsError

ENCAPSULATION_MODES = ("ipip", "vxlan", "none")
POOL_MODES = ("Always", "CrossSubnet", "Never")


def is_ipv6_only(non_masquerade_cidr: str | None) -> bool:
    """Upstream calls a cluster IPv6-only when its non-masquerade CIDR is an IPv6 range (``::/0``)."""
    return bool(non_masquerade_cidr) and ":" in str(non_masquerade_cidr)


def default_encapsulation(cloud: str | None, ipv6_only: bool) -> str:
    """IPv6 pods are routed natively (no tunnel); Azure drops IP-in-IP packets, so it needs VXLAN."""
    if ipv6_only:
        return "none"
    if cloud == "azure":
        return "vxlan"
    return "ipip"


def encapsulation(cluster: Any) -> str:
    """The encapsulation in force: the user's, else the default the completed spec would hold."""
    calico = cluster.spec.networking.calico
    return calico.encapsulationMode or default_encapsulation(cluster.spec.cloudProvider,
                                                             is_ipv6_only(cluster.spec.nonMasqueradeCIDR))


def pool_modes(cluster: Any) -> tuple[str, str, str]:
    """CALICO_IPV4POOL_IPIP, CALICO_IPV4POOL_VXLAN and CALICO_IPV6POOL_VXLAN: only the chosen tunnel is on."""
    calico = cluster.spec.networking.calico
    mode = encapsulation(cluster)
    ipip = "Never"
    if mode == "ipip":
        ipip = calico.ipipMode or ("Always" if cluster.spec.cloudProvider == "openstack" else "CrossSubnet")
    vxlan4 = vxlan6 = "Never"
    if mode == "vxlan":
        vxlan4 = calico.vxlanMode or "CrossSubnet"
        vxlan6 = calico.vxlanMode or "Never"
    return ipip, vxlan4, vxlan6


def pod_cidr(cluster: Any) -> str:
    """The IPv4 pod range: the controller manager's cluster CIDR, else ``spec.podCIDR``, else (as upstream
    assigns it) the upper half of the non-masquerade CIDR: 100.64.0.0/10 gives 100.96.0.0/11."""
    spec = cluster.spec
    if spec.kubeControllerManager is not None and spec.kubeControllerManager.clusterCIDR:
        return spec.kubeControllerManager.clusterCIDR
    if spec.podCIDR:
        return spec.podCIDR
    if not spec.nonMasqueradeCIDR:
        raise KopsError("spec.nonMasqueradeCIDR: required to choose Calico's pod IP pool "
                        "(or set spec.podCIDR)")
    network = ipaddress.ip_network(spec.nonMasqueradeCIDR, strict=False)
    upper = ipaddress.ip_network((int(network.network_address) + (network.num_addresses >> 1),
                                  network.prefixlen + 1))
    return str(upper)
