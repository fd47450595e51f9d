"""The Flannel plugin's hooks. Loaded on every CLI start, so everything else is imported inside them."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


def _uses_flannel(cluster: Any) -> bool:
    return cluster.spec.networking is not None and cluster.spec.networking.flannel is not None


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list:
    if not _uses_flannel(cluster):
        return []
    from kops_flannel.validation import validate

    return validate(cluster)


@hookimpl
def kops_addons(cluster: Any) -> list:
    if not _uses_flannel(cluster):
        return []
    from kops_flannel.manifest import addon

    return [addon(cluster)]


@hookimpl
def kops_firewall_rules(cluster: Any) -> list:
    if not _uses_flannel(cluster):
        return []
    from kops_flannel.firewall import rules

    return rules(cluster)
