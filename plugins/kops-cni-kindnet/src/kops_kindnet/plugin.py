"""The plugin's hooks. Loaded on every CLI start, so each hook imports its module when called."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


@hookimpl
def kops_inference_rules() -> list[Any]:
    from kops_kindnet.defaults import kindnet_defaults

    return [kindnet_defaults]


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list[Any]:
    from kops_kindnet.validation import validate

    return validate(cluster)


@hookimpl
def kops_addons(cluster: Any) -> list[Any]:
    from kops_kindnet.manifest import addons

    return addons(cluster)
