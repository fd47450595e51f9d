"""The plugin's hooks. Loaded on every CLI start, so each hook imports its module when called."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


@hookimpl
def kops_inference_rules() -> list[Any]:
    from kops_cilium.defaults import cilium_defaults

    return [cilium_defaults]


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list[Any]:
    from kops_cilium.validation import validate

    return validate(cluster)


@hookimpl
def kops_addons(cluster: Any, secrets: Any) -> list[Any]:
    from kops_cilium.manifest import addons

    return addons(cluster, secrets)


@hookimpl
def kops_firewall_rules(cluster: Any) -> list[Any]:
    from kops_cilium.firewall import firewall_rules

    return firewall_rules(cluster)
