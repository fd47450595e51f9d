"""The API's load balancer (``spec.api.loadBalancer``), as upstream builds it on GCE.

- ``Internal``: a regional TCP health check on 443 and an internal backend service whose backends are the
  instance groups of every group running an API server; per cluster subnet holding such a group, an internal
  address (``SHARED_LOADBALANCER_VIP``) and a forwarding rule sending 443 to the backend service. Without DNS
  (``topology.dns.type: None``) nodes find kops-controller through the load balancer: a second rule on the same
  address sends 3988 (to a backend service of the control plane alone when API servers also run apart from it),
  and, where those API servers cannot reach etcd by name, a third backend service and rules carry etcd's 4001
  and 4002. Cilium's own etcd gets a rule on 4003.
- Either way, firewall rules let ``kubernetesApiAccess`` reach the API servers' 443 (``https-api``, and its IPv6
  twin), pods reach it with IP aliases (``pod-cidrs-to-https-api``), and the same sources reach kops-controller
  (``kops-controller``) and Cilium's etcd (``cilium-etcd``) where the load balancer carries them.
- ``Public``: all of the above (nodes then reach the API without leaving the network), plus an external
  address, an HTTP health check of kube-apiserver-healthcheck (3990, ``/healthz``), a target pool and an external
  forwarding rule sending 443 to it. The control plane's managed instance groups (or the API-server-only ones,
  where there are some) name the target pool, so GCE adds and removes their machines itself.

GCE has no load balancer classes: ``spec.api.loadBalancer.class`` is refused.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Task
from kops.errors import KopsError
from kops.model import API_SERVER, CONTROL_PLANE, ModelContext, role_of

from kops_gce.labels import owner_description, resource_labels
from kops_gce.model.firewall import api_server_tags, rule, twin_rules
from kops_gce.model.groups import managers_of
from kops_gce.model.network import network_of, subnetwork_of
from kops_gce.names import role_tag, suffixed
from kops_gce.network import uses_ip_aliases
from kops_gce.tasks.address import Address
from kops_gce.tasks.backend_service import BackendService
from kops_gce.tasks.forwarding_rule import ForwardingRule
from kops_gce.tasks.health_check import HealthCheck
from kops_gce.tasks.http_health_check import HttpHealthCheck
from kops_gce.tasks.target_pool import TargetPool

API_PORT = 443
#: kube-apiserver-healthcheck's port, which the public load balancer's legacy health check asks.
API_HEALTH_CHECK_PORT = 3990
API_HEALTH_CHECK_PATH = "/healthz"
KOPS_CONTROLLER_PORT = 3988
ETCD_MAIN_PORT, ETCD_EVENTS_PORT, ETCD_CILIUM_PORT = 4001, 4002, 4003


def uses_dns_none(model: ModelContext) -> bool:
    """Whether the cluster publishes no DNS records: nodes then find kops-controller through the load balancer."""
    topology = model.cluster.spec.topology
    return bool(topology and topology.dns and topology.dns.type == "None")


def uses_cilium_etcd(model: ModelContext) -> bool:
    """Whether Cilium keeps its state in an etcd cluster of its own (an etcd cluster named ``cilium``)."""
    networking = model.cluster.spec.networking
    return bool(networking and networking.cilium is not None
                and any(e.name == "cilium" for e in model.cluster.spec.etcdClusters or []))


def api_address_names(cluster: Any) -> set[str]:
    """The names the API's addresses may have: the external one's and one internal per subnet (only those of
    subnets holding an API server exist)."""
    name = cluster.metadata.name
    return {suffixed("api", name), *(suffixed("api-" + s.name, name) for s in cluster.spec.subnets or [])}


def runs_api_server(group: Any) -> bool:
    return role_of(group) in (CONTROL_PLANE, API_SERVER)


class APILoadBalancerBuilder:
    def build(self, model: ModelContext) -> list[Task]:
        spec = model.cluster.spec
        lb = spec.api.loadBalancer if spec.api is not None else None
        if lb is None:
            return []
        if lb.class_:
            raise KopsError(f"Cluster/{model.cluster_name}: spec.api.loadBalancer.class: {lb.class_!r} is not "
                            "supported on GCE (only AWS has load balancer classes)")
        lb_type = lb.type or "Public"
        if lb_type not in ("Public", "Internal"):
            raise KopsError(f"Cluster/{model.cluster_name}: spec.api.loadBalancer.type: unknown type {lb_type!r} "
                            "(Public or Internal)")
        tasks = self._public(model) if lb_type == "Public" else []
        return tasks + self._internal(model) + self._firewall(model)

    # --- who may reach it --------------------------------------------------------------------------------

    @staticmethod
    def _firewall(model: ModelContext) -> list[Task]:
        """``kubernetesApiAccess`` to the API servers' 443 (the load balancers pass clients' addresses through),
        pods to it with IP aliases, and to kops-controller's 3988 (and Cilium's etcd) where nodes find them
        through the load balancer."""
        spec = model.cluster.spec
        access = list(spec.kubernetesApiAccess or [])
        https = [f"tcp:{API_PORT}"]
        tasks: list[Task] = twin_rules(model, "https-api", source_ranges=access, target_tags=api_server_tags(model),
                                       allowed=https)
        if uses_ip_aliases(model.cluster.to_dict()["spec"].get("networking") or {}):
            if not spec.podCIDR:
                raise KopsError("spec.podCIDR: required for the firewall rule letting pods reach the API (IP aliases)")
            tasks.append(rule(model, "pod-cidrs-to-https-api", source_ranges=[spec.podCIDR],
                              target_tags=api_server_tags(model), allowed=https))
        control_plane = [role_tag(model.cluster_name, CONTROL_PLANE)]
        if uses_dns_none(model):
            tasks += twin_rules(model, "kops-controller", source_ranges=access, target_tags=control_plane,
                                allowed=[f"tcp:{KOPS_CONTROLLER_PORT}"])
        if uses_cilium_etcd(model):
            tasks += twin_rules(model, "cilium-etcd", source_ranges=access, target_tags=control_plane,
                                allowed=[f"tcp:{ETCD_CILIUM_PORT}"])
        return tasks

    # --- the public load balancer -----------------------------------------------------------------------

    def _public(self, model: ModelContext) -> list[Task]:
        name = suffixed("api", model.cluster_name)
        owner = owner_description(model)
        check = HttpHealthCheck(name=name, port=API_HEALTH_CHECK_PORT, request_path=API_HEALTH_CHECK_PATH,
                                description=owner)
        pool = TargetPool(name=name, health_check=check, description=owner)
        address = Address(name=name, address_type="EXTERNAL", labels=resource_labels(model))
        rule = ForwardingRule(name=name, ip_address=address, ip_protocol="TCP", load_balancing_scheme="EXTERNAL",
                              port_range=f"{API_PORT}-{API_PORT}", target=pool,
                              labels=resource_labels(model, {"name": "api"}))
        groups = [g for g in model.instance_groups if role_of(g) == API_SERVER] or model.control_plane_groups
        for manager in self._managers(model, groups):
            manager.target_pools = [*(p for p in manager.target_pools or [] if p is not pool), pool]
        return [check, pool, address, rule]

    # --- the internal load balancer ---------------------------------------------------------------------

    def _internal(self, model: ModelContext) -> list[Task]:
        api_groups = [g for g in model.instance_groups if runs_api_server(g)]
        control_plane = model.control_plane_groups
        apart = any(role_of(g) == API_SERVER for g in api_groups)
        check, api = self._service(model, "api", "api", "TCP", API_PORT, api_groups)
        tasks: list[Task] = [check, api]
        controller = api
        if apart:
            # kops-controller and etcd run on the control plane only: their rules need a service of its own.
            controller_check, controller = self._service(model, "kops-controller", "kops-controller", "SSL",
                                                         KOPS_CONTROLLER_PORT, control_plane)
            tasks += [controller_check, controller]
        dns_none = uses_dns_none(model)
        for subnet_name in self._subnets(model, api_groups):
            address = self._address(model, "api-" + subnet_name, subnet_name)
            tasks += [address, self._rule(model, "api-" + subnet_name, address, api, [API_PORT], subnet_name)]
            if dns_none:
                tasks.append(self._rule(model, "kops-controller-" + subnet_name, address, controller,
                                        [KOPS_CONTROLLER_PORT], subnet_name))
            if uses_cilium_etcd(model):
                tasks.append(self._rule(model, "cilium-etcd-" + subnet_name, address, controller,
                                        [ETCD_CILIUM_PORT], subnet_name))
        if dns_none and apart:
            tasks += self._etcd(model, control_plane, api_groups)
        return tasks

    def _etcd(self, model: ModelContext, control_plane: list[Any], api_groups: list[Any]) -> list[Task]:
        """API servers apart from the control plane reach etcd through the load balancer when there is no DNS."""
        check, service = self._service(model, "etcd", "etcd-main", "TCP", ETCD_MAIN_PORT, control_plane)
        tasks: list[Task] = [check, service]
        for subnet_name in self._subnets(model, api_groups):
            address = self._address(model, "etcd-" + subnet_name, subnet_name)
            tasks += [address, self._rule(model, "etcd-" + subnet_name, address, service,
                                          [ETCD_MAIN_PORT, ETCD_EVENTS_PORT], subnet_name)]
        return tasks

    def _service(self, model: ModelContext, name: str, check_name: str, protocol: str, port: int,
                 groups: list[Any]) -> tuple[HealthCheck, BackendService]:
        """An internal TCP backend service over ``groups``' managers, and the health check (``protocol`` on
        ``port``) that decides which of their machines get traffic."""
        owner = owner_description(model)
        check = HealthCheck(name=suffixed(check_name, model.cluster_name), protocol=protocol, port=port,
                            description=owner)
        service = BackendService(name=suffixed(name, model.cluster_name), protocol="TCP",
                                 load_balancing_scheme="INTERNAL", health_checks=[check],
                                 backends=self._managers(model, groups), description=owner)
        return check, service

    @staticmethod
    def _subnets(model: ModelContext, api_groups: list[Any]) -> list[str]:
        """The cluster's subnets (in spec order) some group running an API server is in."""
        used = {s for g in api_groups for s in g.spec.subnets or []}
        return [s.name for s in model.subnets if s.name in used]

    @staticmethod
    def _address(model: ModelContext, object_name: str, subnet_name: str) -> Address:
        return Address(name=suffixed(object_name, model.cluster_name), address_type="INTERNAL",
                       purpose="SHARED_LOADBALANCER_VIP", subnetwork=subnetwork_of(model, subnet_name),
                       labels=resource_labels(model))

    @staticmethod
    def _rule(model: ModelContext, object_name: str, address: Address, service: BackendService, ports: list[int],
              subnet_name: str) -> ForwardingRule:
        return ForwardingRule(name=suffixed(object_name, model.cluster_name), ip_address=address, ip_protocol="TCP",
                              load_balancing_scheme="INTERNAL", ports=[str(p) for p in ports],
                              backend_service=service, network=network_of(model),
                              subnetwork=subnetwork_of(model, subnet_name),
                              labels=resource_labels(model, {"name": object_name}))

    @staticmethod
    def _managers(model: ModelContext, groups: list[Any]) -> list[Any]:
        return [m for g in groups for m in managers_of(model, g)]


BUILDERS = [APILoadBalancerBuilder()]
