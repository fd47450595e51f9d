"""The OpenStack model: builders that turn the completed cluster (a :class:`kops.model.ModelContext`) into tasks, as
upstream's ``openstackmodel`` builds them. Each module of :data:`MODULES` holds a ``BUILDERS`` list; they run in
this order, and each finds what earlier ones made in the run's registry (``model.get``):

- ``network``: the network, a subnet per subnet of the spec, the router and its interfaces;
- ``firewall``: a security group per role, and what each lets in (:mod:`kops_openstack.model.firewall`);
- ``servers``: the admin SSH key, and per instance group its server group, and per server its port, its floating
  IP where the topology asks, and the server;
- ``etcd``: a Cinder volume per etcd member;
- ``api_loadbalancer``: the API's Octavia load balancer, listener, pool, members and monitor, and its floating IP.
"""

from __future__ import annotations

import importlib
from typing import Any

MODULES = ("network", "firewall", "servers", "etcd", "api_loadbalancer")


def builders() -> list[Any]:
    found: list[Any] = []
    for module in MODULES:
        found += importlib.import_module(f"kops_openstack.model.{module}").BUILDERS
    return found


def openstack_spec(model: Any) -> Any:
    """``spec.cloudConfig.openstack`` (an empty one where the spec has none)."""
    from kops.api.cloud import OpenstackSpec

    config = model.cluster.spec.cloudConfig
    return (config.openstack if config is not None else None) or OpenstackSpec()


def subnet_name(subnet: Any, cluster_name: str) -> str:
    """A subnet of the spec as Neutron names it: ``<subnet>.<cluster>``."""
    return f"{subnet.name}.{cluster_name}"


def router_name(cluster_name: str) -> str:
    return cluster_name.replace(".", "-")


def needs_router(model: Any) -> bool:
    """A router is made when an external network is named and no subnet is shared, as upstream."""
    router = openstack_spec(model).router
    return bool(router and router.externalNetwork) and not any(s.id for s in model.subnets)


def uses_load_balancer(cluster: Any) -> bool:
    """Whether the API is behind an Octavia load balancer: ``cloudConfig.openstack.loadbalancer`` is set."""
    config = cluster.spec.cloudConfig
    return bool(config and config.openstack and config.openstack.loadbalancer is not None)


def lb_provider(model: Any) -> str:
    """The API load balancer's provider as the spec names it (lowercased; empty where it names none)."""
    return (openstack_spec(model).loadbalancer.provider or "").lower()
