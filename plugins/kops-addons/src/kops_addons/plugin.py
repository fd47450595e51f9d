"""The kops-addons hooks. Loaded on every CLI start, so each add-on module is imported only when asked for."""

from __future__ import annotations

import importlib
from typing import Any

from kops import hookimpl

#: The add-on modules, in the order their checks are reported.
MODULES = ("metrics_server", "cluster_autoscaler", "node_local_dns", "cert_manager", "snapshot_controller")


def _modules() -> list[Any]:
    return [importlib.import_module(f"kops_addons.{name}") for name in MODULES]


@hookimpl
def kops_inference_rules() -> list:
    from kops_addons import completion

    return completion.rules()


@hookimpl
def kops_validate(cluster: Any, instance_groups: list[Any]) -> list:
    return [error for module in _modules() if hasattr(module, "validate") for error in module.validate(cluster)]


@hookimpl
def kops_addons(cluster: Any) -> list:
    # An add-on whose manifest is written for some clouds only (CLOUDS) is left out elsewhere.
    return [module.addon(cluster) for module in _modules() if module.enabled(cluster)
            and cluster.spec.cloudProvider in getattr(module, "CLOUDS", (cluster.spec.cloudProvider,))]
