"""The cluster's network, its subnets and, where an external network is named, the router joining them to it."""

from __future__ import annotations

from typing import Any

from kops.engine import Lifecycle
from kops.errors import KopsError

from kops_openstack.labels import tags
from kops_openstack.model import needs_router, openstack_spec, router_name, subnet_name
from kops_openstack.tasks.network import Network
from kops_openstack.tasks.router import Router
from kops_openstack.tasks.router_interface import RouterInterface
from kops_openstack.tasks.subnet import Subnet


def network_of(model: Any) -> Network:
    return model.get("Network", model.cluster.spec.networkID or model.cluster_name)


class NetworkBuilder:
    def build(self, model: Any) -> list[Any]:
        spec, os_spec = model.cluster.spec, openstack_spec(model)
        if spec.networkID:
            network = Network(name=spec.networkID, id=spec.networkID, lifecycle=Lifecycle.EXISTS_AND_WARN_IF_CHANGES)
        else:
            hints = os_spec.network.availabilityZoneHints if os_spec.network else None
            network = Network(name=model.cluster_name, tags=tags(model), availability_zone_hints=hints)
        found: list[Any] = [network]
        dns = [s.strip() for s in (os_spec.router.dnsServers or "").split(",") if s.strip()] if os_spec.router else []
        router = None
        if needs_router(model):
            router = Router(name=router_name(model.cluster_name), external_network=os_spec.router.externalNetwork,
                            external_subnet=os_spec.router.externalSubnet, tags=tags(model))
            found.append(router)
        for subnet in model.subnets:
            if subnet.id:
                raise KopsError(f"Cluster/{model.cluster_name}: spec.subnets[{subnet.name}].id: shared subnets are "
                                "not supported on OpenStack yet; let kops make them (give a cidr)")
            task = Subnet(name=subnet_name(subnet, model.cluster_name), network=network, cidr=subnet.cidr,
                          dns_servers=dns, tags=tags(model))
            found.append(task)
            if router is not None:
                found.append(RouterInterface(name=f"ri-{subnet.name}.{model.cluster_name}", router=router,
                                             subnet=task))
        return found


BUILDERS = [NetworkBuilder()]
