"""Checks on ``spec.networking.flannel``: a backend flanneld knows, and an IPv4 cluster."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError

from kops_flannel import BACKEND_PORTS

PATH = "spec.networking.flannel"


def validate(cluster: Any) -> list[FieldError]:
    flannel = cluster.spec.networking.flannel
    errors = []
    if ":" in (cluster.spec.nonMasqueradeCIDR or ""):
        errors.append(FieldError(PATH, "Flannel does not support IPv6 clusters"))
    if not flannel.backend:
        errors.append(FieldError(f"{PATH}.backend", f"required: one of {', '.join(BACKEND_PORTS)}"))
    elif flannel.backend not in BACKEND_PORTS:
        errors.append(FieldError(f"{PATH}.backend",
                                 f"unsupported value {flannel.backend!r}: must be one of {', '.join(BACKEND_PORTS)}"))
    if flannel.iptablesResyncSeconds is not None and flannel.iptablesResyncSeconds < 1:
        errors.append(FieldError(f"{PATH}.iptablesResyncSeconds",
                                 f"must be 1 or more, not {flannel.iptablesResyncSeconds}"))
    return errors
