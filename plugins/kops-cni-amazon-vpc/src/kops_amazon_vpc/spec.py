"""Reading the cluster: whether it uses the Amazon VPC CNI, and whether it is IPv6-only."""

from __future__ import annotations

from typing import Any

PATH = "spec.networking.amazonvpc"


def amazon_vpc_of(cluster: Any) -> Any:
    """The cluster's ``spec.networking.amazonvpc`` model, or None when it uses other networking."""
    networking = cluster.spec.networking
    return networking.amazonvpc if networking is not None else None


def is_ipv6_only(cluster: Any) -> bool:
    """Upstream's test: the non-masquerade CIDR is an IPv6 range."""
    return ":" in (cluster.spec.nonMasqueradeCIDR or "")
