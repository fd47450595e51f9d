"""The OpenStack plugin's hook implementations. Kept import-light: it is loaded whenever the CLI starts."""

from __future__ import annotations

from typing import Any

from kops import hookimpl


@hookimpl
def kops_inference_rules() -> list[Any]:
    from kops_openstack import inference

    return inference.rules()


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list[Any]:
    from kops_openstack.validation import validate

    return validate(cluster, instance_groups)


@hookimpl
def kops_model_builders(cluster: Any, cloud: str) -> list[Any]:
    if cloud != "openstack":
        return []
    from kops_openstack.model import builders

    return builders()
