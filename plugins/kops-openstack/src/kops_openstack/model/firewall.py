"""The cluster's security groups, one per role as upstream names them (``masters.<cluster>``, ``nodes.<cluster>``,
``bastion.<cluster>``), and what each lets in:

- from the other roles' groups, core's traffic between roles (:func:`kops.firewall.cluster_rules`: everything from
  the control plane and between nodes, nodes to the control plane except etcd, bastions over SSH, the networking
  provider's own protocols);
- from outside: ``sshAccess`` to the control plane and nodes (to the bastions only where there are some),
  ``kubernetesApiAccess`` to the control plane's HTTPS port (the network behind a load balancer: :func:`api_sources`), ``nodePortAccess`` to the nodes' service ports.

Each rule's task is named for what it allows (``masters.<cluster>/tcp/443/from/0.0.0.0/0``): the name is kept in
the rule's description, which is how kops finds its rules.
"""

from __future__ import annotations

from typing import Any

from kops.firewall import ALL, cluster_rules
from kops.model import API_SERVER, BASTION, CONTROL_PLANE, NODE

from kops_openstack.labels import tags
from kops_openstack.model import lb_provider, uses_load_balancer
from kops_openstack.tasks.security_group import SecurityGroup
from kops_openstack.tasks.security_group_rule import SecurityGroupRule, ethertype

#: The security group of each role, before ``.<cluster>``.
GROUP_OF_ROLE = {CONTROL_PLANE: "masters", NODE: "nodes", API_SERVER: "nodes", BASTION: "bastion"}
API_PORT = 443
NODE_PORTS = (30000, 32767)
#: IP protocols Neutron knows by name; others go by number.
PROTOCOL_NUMBERS = {"ipip": "4", "esp": "50", "gre": "47", "sctp": "132"}


def group_name(role: str, cluster_name: str) -> str:
    return f"{GROUP_OF_ROLE[role]}.{cluster_name}"


def group_of(model: Any, role: str) -> SecurityGroup:
    return model.get("SecurityGroup", group_name(role, model.cluster_name))


def api_sources(model: Any) -> list[str]:
    """Where connections to the control plane's HTTPS port come from. Without a load balancer, from
    ``kubernetesApiAccess``. Behind Octavia's amphorae, from the network (an amphora connects from its own address
    on the cluster's subnet; the listener checks ``kubernetesApiAccess``); an OVN load balancer forwards with the
    client's address, so from both, as upstream."""
    access = list(model.cluster.spec.kubernetesApiAccess or [])
    if not uses_load_balancer(model.cluster):
        return access
    network = [model.cluster.spec.networkCIDR] if model.cluster.spec.networkCIDR else []
    return network + access if lb_provider(model) == "ovn" else network


class FirewallBuilder:
    def build(self, model: Any) -> list[Any]:
        name, spec = model.cluster_name, model.cluster.spec
        roles = [CONTROL_PLANE, NODE] + ([BASTION] if model.groups_with_role(BASTION) else [])
        groups = {role: SecurityGroup(name=group_name(role, name), description=f"{GROUP_OF_ROLE[role]} of {name}",
                                      tags=tags(model)) for role in roles}
        groups[API_SERVER] = groups[NODE]
        rules: dict[str, SecurityGroupRule] = {}

        def allow(to: str, protocol: str | None, ports: tuple[int, int] | None, source: str | SecurityGroup) -> None:
            target = groups[to]
            what = protocol or ALL
            span = f"/{ports[0]}" + (f"-{ports[1]}" if ports[1] != ports[0] else "") if ports else ""
            remote = source.name if isinstance(source, SecurityGroup) else source
            rule_name = f"{target.name}/{what}{span}/from/{remote}"
            if rule_name in rules:
                return
            kind = "IPv4" if isinstance(source, SecurityGroup) else ethertype(source)
            rules[rule_name] = SecurityGroupRule(
                name=rule_name, security_group=target, protocol=protocol,
                port_min=ports[0] if ports else None, port_max=ports[1] if ports else None,
                remote_group=source if isinstance(source, SecurityGroup) else None,
                remote_ip_prefix=None if isinstance(source, SecurityGroup) else source, ethertype=kind)

        for rule in cluster_rules(model):
            if rule.from_role not in groups or rule.to_role not in groups:
                continue
            protocol = rule.protocol.lower()
            ported = protocol in ("tcp", "udp")
            ports = (rule.port_from or 1, rule.port_to or rule.port_from or 65535) if ported else None
            if ports == (1, 65535):
                ports = None  # Neutron keeps every port as no range
            allow(rule.to_role, None if protocol == ALL else PROTOCOL_NUMBERS.get(protocol, protocol), ports,
                  groups[rule.from_role])
        ssh_to = [BASTION] if BASTION in groups else [CONTROL_PLANE, NODE]
        for cidr in spec.sshAccess or []:
            for role in ssh_to:
                allow(role, "tcp", (22, 22), cidr)
        for cidr in api_sources(model):
            allow(CONTROL_PLANE, "tcp", (API_PORT, API_PORT), cidr)
        for cidr in spec.nodePortAccess or []:
            for protocol in ("tcp", "udp"):
                allow(NODE, protocol, NODE_PORTS, cidr)
        return [*{g.name: g for g in groups.values()}.values(), *rules.values()]


BUILDERS = [FirewallBuilder()]
