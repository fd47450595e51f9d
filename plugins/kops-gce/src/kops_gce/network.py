"""IP ranges for GCE clusters, chosen as upstream kOps chooses them.

GCE networks have no CIDR of their own: each (regional) subnet has a range, and with IP aliases
(``networking: gce``, and kindnet) pods and services get secondary ranges. kOps draws all of them from
10.0.0.0/8, taking the first free block of the wanted size after the first one (10.0.0.0/n is never used).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kops.errors import KopsError

#: The private range every GCE range is drawn from.
GCE_RANGE = ipaddress.IPv4Network("10.0.0.0/8")
#: Prefix lengths upstream uses: a subnet of a routes-based network, and the node, pod and service ranges
#: of an IP-alias cluster.
SUBNET_PREFIX = 20
ALIAS_NODE_PREFIX = 19
ALIAS_POD_PREFIX = 14
ALIAS_SERVICE_PREFIX = 16


def uses_ip_aliases(networking: dict | None) -> bool:
    """Pods get addresses from a secondary range of the subnet (GCE's "VPC-native" mode)."""
    networking = networking or {}
    return networking.get("gce") is not None or networking.get("kindnet") is not None


class RangeAllocator:
    """Hands out blocks of :data:`GCE_RANGE` that overlap nothing in use (upstream's CIDRMap)."""

    def __init__(self, used: Iterable[str] = ()):
        self.used: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for cidr in used:
            self.mark(cidr)

    def mark(self, cidr: str) -> None:
        try:
            self.used.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            pass  # an invalid CIDR is validation's to report, naming its field

    def allocate(self, prefix: int, what: str) -> str:
        blocks = GCE_RANGE.subnets(new_prefix=prefix)
        next(blocks)  # the first block is never used
        for block in blocks:
            if not any(block.overlaps(u) for u in self.used):
                self.used.append(block)
                return str(block)
        raise KopsError(f"{what}: no free /{prefix} left in {GCE_RANGE}")
