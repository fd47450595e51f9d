"""Checks of ``spec.networking.kindnet``, as upstream kOps has them."""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.errors import FieldError

from kops_kindnet.defaults import kindnet_of

PATH = "spec.networking.kindnet"


def validate(cluster: Any) -> list[FieldError]:
    kindnet = kindnet_of(cluster)
    if kindnet is None or kindnet.masquerade is None or not kindnet.masquerade.enabled:
        return []
    errors = []
    for i, cidr in enumerate(kindnet.masquerade.nonMasqueradeCIDRs or []):
        if not cidr:
            continue
        try:
            ipaddress.ip_network(cidr, strict=False)
            if "/" not in cidr:
                raise ValueError("a prefix length is required")
        except ValueError as exc:
            errors.append(FieldError(f"{PATH}.masquerade.nonMasqueradeCIDRs[{i}]", f"{cidr!r} is not a CIDR: {exc}"))
    return errors
