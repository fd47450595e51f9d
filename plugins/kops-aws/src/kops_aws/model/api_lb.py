"""Load balancers: the API's (``spec.api.loadBalancer``) and the bastions', both Network Load Balancers.

As upstream: one subnet per zone (utility subnets for a public load balancer in a private topology,
private ones for an internal load balancer), a TCP listener on 443 forwarding to the control plane's
443, a TLS listener on 443 plus a plain TCP one on 8443 when the user brings a certificate (client
certificates cannot pass a TLS listener), and kops-controller's port 3988 when nodes find kops-controller
through the load balancer rather than DNS (``dns: None``).

Cross-zone load balancing is on unless ``crossZoneLoadBalancing`` is explicitly false (the bastions'
load balancer always has it): with it off, a zone whose targets are all unhealthy drops the connections
its load balancer node receives, so one lost control-plane zone would make the API flap. Security groups and their rules are the
firewall's; this module uses the ``api-elb`` and ``bastion-elb`` groups.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Task
from kops.errors import KopsError

from kops_aws.instancegroups import BASTION, CONTROL_PLANE, role_of
from kops_aws.naming import name32
from kops_aws.tasks.lb_listener import LoadBalancerListener
from kops_aws.tasks.load_balancer import LoadBalancer
from kops_aws.tasks.target_group import CONNECTION_TERMINATION, DEREGISTRATION_DELAY, TargetGroup

KOPS_CONTROLLER_PORT = 3988
ETCD_CILIUM_PORT = 2382
#: The TLS policy AWS applies when none is named.
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
_ATTRIBUTES = {CONNECTION_TERMINATION: "true", DEREGISTRATION_DELAY: "30"}


def uses_dns_none(spec: Any) -> bool:
    """Whether the cluster publishes no DNS records: nodes then reach kops-controller through the load balancer."""
    return bool(spec.topology and spec.topology.dns and spec.topology.dns.type == "None")


class APILoadBalancerBuilder:
    def build(self, aws: Any) -> list[Task]:
        tasks: list[Task] = []
        lb_spec = aws.spec.api.loadBalancer if aws.spec.api else None
        if lb_spec is not None:
            tasks += self._api(aws, lb_spec)
        if any(role_of(g) == BASTION for g in aws.model.instance_groups):
            tasks += self._bastion(aws)
        return tasks

    def _api(self, aws: Any, lb_spec: Any) -> list[Task]:
        if (lb_spec.class_ or "Network") != "Network":
            raise KopsError(f"Cluster/{aws.cluster_name}: spec.api.loadBalancer.class: {lb_spec.class_!r} is not "
                            "supported; use Network")
        lb_type = lb_spec.type or "Public"
        if lb_type not in ("Public", "Internal"):
            raise KopsError(f"Cluster/{aws.cluster_name}: spec.api.loadBalancer.type: unknown type {lb_type!r}")
        kops_controller = uses_dns_none(aws.spec)
        cilium = aws.spec.networking.cilium if aws.spec.networking else None
        etcd_cilium = kops_controller and bool(cilium and cilium.etcdManaged)
        if lb_spec.subnets:
            mappings = [{"subnet": aws.subnet(s.name), "allocation_id": s.allocationId,
                         "private_ipv4": s.privateIPv4Address} for s in lb_spec.subnets]
        else:
            mappings = [{"subnet": aws.subnet(s.name)} for s in self._best_subnets(aws, lb_type)]
        lb = LoadBalancer(
            name=f"api.{aws.cluster_name}", lb_name=name32(aws.cluster_name, "api"),
            scheme="internal" if lb_type == "Internal" else "internet-facing", lb_type="network",
            ip_address_type=_address_type(aws, mappings), subnet_mappings=mappings,
            security_groups=[aws.security_group("APILoadBalancer"), *(lb_spec.additionalSecurityGroups or [])],
            cross_zone=kops_controller or lb_spec.crossZoneLoadBalancing is not False,
            access_log={"enabled": True, "bucket": lb_spec.accessLog.bucket, "prefix": lb_spec.accessLog.bucketPrefix}
            if lb_spec.accessLog else {"enabled": False},
            tags={**aws.tags(None), "Name": f"api.{aws.cluster_name}"})
        tcp = self._target_group(aws, "tcp", 443)
        tasks: list[Task] = [lb, tcp]
        if lb_spec.sslCertificate:
            tls = self._target_group(aws, "tls", 443, protocol="TLS")
            tasks += [tls, self._listener(aws, lb, "api", 8443, tcp),
                      self._listener(aws, lb, "api", 443, tls, certificate=lb_spec.sslCertificate,
                                     ssl_policy=lb_spec.sslPolicy or DEFAULT_SSL_POLICY)]
        else:
            tasks.append(self._listener(aws, lb, "api", 443, tcp))
        if kops_controller:
            controller = self._target_group(aws, "kops-controller", KOPS_CONTROLLER_PORT, check_protocol="HTTPS",
                                            check_path="/healthz")
            tasks += [controller, self._listener(aws, lb, "api", KOPS_CONTROLLER_PORT, controller)]
            if etcd_cilium:
                etcd = self._target_group(aws, "etcd-cilium", ETCD_CILIUM_PORT)
                tasks += [etcd, self._listener(aws, lb, "etcd-cilium", ETCD_CILIUM_PORT, etcd)]
        return tasks

    def _bastion(self, aws: Any) -> list[Task]:
        bastion = aws.spec.topology.bastion if aws.spec.topology else None
        lb_type = (bastion.loadBalancer.type if bastion and bastion.loadBalancer else None) or "Public"
        extra = (bastion.loadBalancer.additionalSecurityGroups if bastion and bastion.loadBalancer else None) or []
        mappings = [{"subnet": aws.subnet(s.name)} for s in self._best_subnets(aws, lb_type)]
        bastion_subnets = {s for g in aws.model.instance_groups if role_of(g) == BASTION for s in g.spec.subnets or []}
        ipv6_bastions = any(s.ipv6CIDR for s in aws.subnets if s.name in bastion_subnets)
        lb = LoadBalancer(
            name=f"bastion.{aws.cluster_name}", lb_name=name32(aws.cluster_name, "bastion"),
            scheme="internal" if lb_type == "Internal" else "internet-facing", lb_type="network",
            ip_address_type="dualstack" if ipv6_bastions else "ipv4", subnet_mappings=mappings,
            security_groups=[aws.security_group("BastionLoadBalancer"), *extra],
            cross_zone=True, access_log={"enabled": False},
            tags={**aws.tags(None), "Name": f"bastion.{aws.cluster_name}"})
        ssh = self._target_group(aws, "bastion", 22)
        return [lb, ssh, self._listener(aws, lb, "bastion", 22, ssh)]

    @staticmethod
    def _target_group(aws: Any, prefix: str, port: int, *, protocol: str = "TCP", check_protocol: str = "TCP",
                      check_path: str | None = None) -> TargetGroup:
        name = name32(aws.cluster_name, prefix)
        return TargetGroup(
            name=name, vpc=aws.vpc, protocol=protocol, port=port,
            health_check={"protocol": check_protocol, "path": check_path, "interval": 10, "healthy_threshold": 2,
                          "unhealthy_threshold": 2},
            attributes=dict(_ATTRIBUTES), tags=aws.tags(name))

    @staticmethod
    def _listener(aws: Any, lb: LoadBalancer, prefix: str, port: int, target: TargetGroup, *,
                  certificate: str | None = None, ssl_policy: str | None = None) -> LoadBalancerListener:
        return LoadBalancerListener(
            name=f"{prefix}.{aws.cluster_name}-{port}", load_balancer=lb, port=port,
            protocol="TLS" if certificate else "TCP", target_group=target, certificate_arn=certificate,
            ssl_policy=ssl_policy)

    @staticmethod
    def _best_subnets(aws: Any, lb_type: str) -> list[Any]:
        """One subnet per zone: public or utility ones for a public load balancer, private or dual-stack ones
        for an internal one; ties go to utility, then dual-stack, then the control plane's subnets."""
        wanted = ("Public", "Utility") if lb_type == "Public" else ("Private", "DualStack")
        control_plane = {s for g in aws.model.instance_groups if role_of(g) == CONTROL_PLANE for s in g.spec.subnets or []}
        by_zone: dict[str, list[Any]] = {}
        for subnet in aws.subnets:
            if subnet.type in wanted:
                by_zone.setdefault(aws.zone_of(subnet, "the API load balancer takes one subnet per zone"),
                                   []).append(subnet)

        def score(s: Any) -> tuple[int, str]:
            points = (1 if s.name in control_plane else 0) + (2 if s.type == "DualStack" else 0) + (
                3 if s.type == "Utility" else 0)
            return (-points, s.name)

        chosen = [min(subnets, key=score) for _, subnets in sorted(by_zone.items())]
        if not chosen:
            raise KopsError(f"Cluster/{aws.cluster_name}: no {' or '.join(wanted).lower()} subnet for the "
                            f"{lb_type.lower()} load balancer")
        return chosen


def _address_type(aws: Any, mappings: list[dict[str, Any]]) -> str:
    """``dualstack`` when every subnet of the load balancer has an IPv6 block, else ``ipv4``."""
    ipv6 = {f"{s.name}.{aws.cluster_name}": bool(s.ipv6CIDR) for s in aws.subnets}
    return "dualstack" if all(ipv6.get(m["subnet"].name) for m in mappings) else "ipv4"


BUILDER = APILoadBalancerBuilder()
