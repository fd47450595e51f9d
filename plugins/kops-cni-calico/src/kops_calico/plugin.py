"""The Calico plugin's hooks. Loaded on every CLI start, so everything else is imported inside them."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


def _uses_calico(cluster: Any) -> bool:
    return cluster.spec.networking is not None and cluster.spec.networking.calico is not None


@hookimpl
def kops_inference_rules() -> list:
    from kops_calico.rules import rules

    return rules()


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list:
    if not _uses_calico(cluster):
        return []
    from kops_calico.validation import validate

    return validate(cluster)


@hookimpl
def kops_addons(cluster: Any) -> list:
    if not _uses_calico(cluster):
        return []
    from kops_calico.manifest import addon

    return [addon(cluster)]


@hookimpl
def kops_firewall_rules(cluster: Any) -> list:
    if not _uses_calico(cluster):
        return []
    from kops_calico.firewall import rules

    return rules(cluster)
