"""Core's own plugin: the add-ons every cluster gets whatever its cloud and networking, and its boot files.

Registered like any plugin (entry point ``core`` in ``kops.plugins``), so ``kops toolbox addons list``
names ``core`` as their source and a cluster's channel is built from one mechanism. Loaded on every CLI
start: the add-on modules are imported inside the hook.
"""

from __future__ import annotations

from typing import Any

from kops import hookimpl


@hookimpl
def kops_addons(cluster: Any) -> list:
    from kops.addons import cluster_basics, coredns, dns_controller

    addons = [cluster_basics.limit_range(), cluster_basics.kubelet_api_rbac()]
    if coredns.applies(cluster):
        addons.append(coredns.addon(cluster))
    if dns_controller.applies(cluster):
        addons.append(dns_controller.addon(cluster))
    return addons


@hookimpl
def kops_model_builders(cluster: Any, cloud: str) -> list:
    """The files nodes boot from, kept in the state store whatever the cloud."""
    from kops.bootstrap import BootFilesBuilder

    return [BootFilesBuilder()]
