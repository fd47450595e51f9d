"""The API's Octavia load balancer, made when ``spec.cloudConfig.openstack.loadbalancer`` is set, as upstream:

- its virtual IP's port ``port-api.<cluster>`` on the first private subnet (the first subnet where all are
  public: upstream refuses those clusters), with the ``api.<cluster>`` security group letting
  ``kubernetesApiAccess`` in on 443 (for providers that forward with the client's address, such as OVN);
- the load balancer ``api.<cluster>`` (``spec.masterPublicName`` when set) on that port, with the provider
  ``loadbalancer.provider`` names (Octavia's default for upstream's ``haproxy`` and ``octavia``) and flavor;
- a floating IP ``fip-api.<cluster>`` on it from ``loadbalancer.floatingNetwork`` (else the router's external
  network), unless the API load balancer is ``Internal``;
- a TCP pool ``api.<cluster>-https``, a listener on 443 open to ``kubernetesApiAccess`` (IPv4), a TCP health
  monitor, and a member for every place in a control-plane group, at its port's address.
"""

from __future__ import annotations

from typing import Any

from kops.model import CONTROL_PLANE

from kops_openstack.discovery import tagged
from kops_openstack.labels import tags
from kops_openstack.model import lb_provider, openstack_spec, subnet_name, uses_load_balancer
from kops_openstack.model.network import network_of
from kops_openstack.model.servers import slot_name
from kops_openstack.tasks.floating_ip import FloatingIP
from kops_openstack.tasks.lb_listener import LBListener
from kops_openstack.tasks.lb_member import LBMember
from kops_openstack.tasks.lb_monitor import LBMonitor
from kops_openstack.tasks.lb_pool import LBPool
from kops_openstack.tasks.loadbalancer import DEFAULT_PROVIDERS, LoadBalancer
from kops_openstack.tasks.port import Port
from kops_openstack.tasks.security_group import SecurityGroup
from kops_openstack.tasks.security_group_rule import SecurityGroupRule, ethertype

API_PORT = 443
#: Upstream's health monitor: every 10 s, 5 s to answer, 3 tries either way.
MONITOR = {"delay": 10, "timeout": 5, "max_retries": 3, "max_retries_down": 3}
#: The balancing method per provider where the spec names none (OVN balances by source address and port only).
METHOD_BY_PROVIDER = {"ovn": "SOURCE_IP_PORT"}


def api_name(cluster: Any) -> str:
    return cluster.spec.masterPublicName or f"api.{cluster.metadata.name}"


def vip_port_name(cluster: Any) -> str:
    return f"port-{api_name(cluster)}"


def floating_ip_name(cluster: Any) -> str:
    return f"fip-{api_name(cluster)}"


def api_addresses(conn: Any, cluster: Any) -> list[str]:
    """The floating IP on the API's virtual IP port, then the port's own address; empty without a load balancer
    or before it is made."""
    if not uses_load_balancer(cluster):
        return []
    cluster_name = cluster.metadata.name
    port = next((p for p in tagged(conn.network.ports, cluster_name) if p.name == vip_port_name(cluster)), None)
    if port is None:
        return []
    floating = [f.floating_ip_address for f in tagged(conn.network.ips, cluster_name)
                if f.description == floating_ip_name(cluster) and f.port_id == port.id]
    return floating + [ip["ip_address"] for ip in port.fixed_ips or []]


class APILoadBalancerBuilder:
    def build(self, model: Any) -> list[Any]:
        if not uses_load_balancer(model.cluster):
            return []
        name, cluster_name = api_name(model.cluster), model.cluster_name
        os_spec = openstack_spec(model)
        lb_spec = os_spec.loadbalancer
        subnet = next((s for s in model.subnets if s.type in ("Private", "DualStack")), model.subnets[0])
        group = SecurityGroup(name=name, description=f"the API load balancer of {cluster_name}", tags=tags(model))
        rules = [SecurityGroupRule(name=f"{name}/tcp/{API_PORT}/from/{cidr}", security_group=group, protocol="tcp",
                                   port_min=API_PORT, port_max=API_PORT, remote_ip_prefix=cidr,
                                   ethertype=ethertype(cidr))
                 for cidr in model.cluster.spec.kubernetesApiAccess or []]
        port = Port(name=vip_port_name(model.cluster), network=network_of(model),
                    subnet=model.get("Subnet", subnet_name(subnet, cluster_name)), security_groups=[group],
                    tags=tags(model))
        balancer = LoadBalancer(name=name, port=port,
                                provider=None if lb_provider(model) in DEFAULT_PROVIDERS else lb_provider(model),
                                flavor_id=lb_spec.flavorID or None, tags=tags(model))
        found: list[Any] = [group, *rules, port, balancer]
        external = lb_spec.floatingNetwork or (os_spec.router.externalNetwork if os_spec.router else None)
        public = (model.cluster.spec.api and model.cluster.spec.api.loadBalancer
                  and model.cluster.spec.api.loadBalancer.type) != "Internal"
        if external and public:
            interface = model.find("RouterInterface", f"ri-{subnet.name}.{cluster_name}")
            found.append(FloatingIP(name=floating_ip_name(model.cluster), network=external, port=port,
                                    tags=tags(model), depends_on=[interface] if interface else []))
        pool = LBPool(name=f"{name}-https", loadbalancer=balancer,
                      method=lb_spec.method or METHOD_BY_PROVIDER.get(lb_provider(model), "ROUND_ROBIN"))
        access = sorted(c for c in model.cluster.spec.kubernetesApiAccess or [] if ethertype(c) == "IPv4")
        found += [pool, LBListener(name=name, loadbalancer=balancer, pool=pool, port=API_PORT, allowed_cidrs=access),
                  LBMonitor(name=name, pool=pool, **MONITOR)]
        for ig in model.groups_with_role(CONTROL_PLANE):
            size = ig.spec.minSize if ig.spec.minSize is not None else 1
            for n in range(1, size + 1):
                slot = slot_name(ig, n, cluster_name)
                found.append(LBMember(name=slot, pool=pool, port=model.get("Port", f"port-{slot}"),
                                      protocol_port=API_PORT, weight=1))
        return found


BUILDERS = [APILoadBalancerBuilder()]
