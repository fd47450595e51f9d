"""Checks for kube-router: it cannot share a machine with kube-proxy, and it routes IPv4 only."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError


def validate(cluster: Any) -> list[FieldError]:
    errors = []
    kube_proxy = cluster.spec.kubeProxy
    if kube_proxy is None or kube_proxy.enabled is not False:
        errors.append(FieldError("spec.kubeProxy.enabled",
                                 "must be false: kube-router proxies services itself (spec.networking.kuberouter)"))
    if ":" in (cluster.spec.nonMasqueradeCIDR or ""):
        errors.append(FieldError("spec.networking.kuberouter", "kube-router does not support IPv6 clusters"))
    return errors
