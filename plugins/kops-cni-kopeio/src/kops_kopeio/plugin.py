"""The plugin's hooks. Loaded on every CLI start, so each hook imports its module when called."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list[Any]:
    from kops_kopeio.networking import validate

    return validate(cluster)


@hookimpl
def kops_addons(cluster: Any) -> list[Any]:
    from kops_kopeio.networking import addons

    return addons(cluster)


@hookimpl
def kops_firewall_rules(cluster: Any) -> list[Any]:
    from kops_kopeio.networking import firewall_rules

    return firewall_rules(cluster)
