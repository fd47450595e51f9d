"""The kube-router plugin's hooks. Loaded on every CLI start, so everything else is imported inside them."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


def _uses_kube_router(cluster: Any) -> bool:
    return cluster.spec.networking is not None and cluster.spec.networking.kuberouter is not None


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list:
    if not _uses_kube_router(cluster):
        return []
    from kops_kube_router.validation import validate

    return validate(cluster)


@hookimpl
def kops_addons(cluster: Any) -> list:
    if not _uses_kube_router(cluster):
        return []
    from kops_kube_router.manifest import addon

    return [addon(cluster)]


@hookimpl
def kops_firewall_rules(cluster: Any) -> list:
    if not _uses_kube_router(cluster):
        return []
    from kops_kube_router.firewall import rules

    return rules(cluster)
