"""Security groups and their rules, as upstream lays them out (``awsmodel/firewall.go``,
``external_access.go``, and the group parts of ``api_loadbalancer.go`` and ``bastion.go``).

- Groups ``masters.<cluster>`` and ``nodes.<cluster>`` (plus ``bastion.<cluster>`` when there are
  bastions), each with full egress. Instance groups with a ``securityGroupOverride`` use that group
  instead (named ``<id>-<role>``, only looked up), and rule names then carry suffixes saying which groups.
- The traffic between roles is core's (:mod:`kops.firewall`: all traffic from the control plane and between
  nodes, nodes to the control plane around etcd's ports, SSH from bastions, and what the CNI needs beyond
  that), one security group rule per rule and pair of groups; other protocols (IP-in-IP) by number.
- SSH from ``sshAccess`` (to the bastion's load balancer when there is a bastion), node ports from
  ``nodePortAccess``, HTTPS from ``kubernetesApiAccess`` (to the API load balancer when there is one).
- With an API load balancer: its group ``api-elb.<cluster>`` (or its override), HTTPS and PMTU ICMP between
  it and the control plane, and the kops-controller port when nodes reach kops-controller through it.

Every rule carries a description saying what it lets through, from where to where ("SSH from 0.0.0.0/0
to the bastion load balancer"), in AWS and in Terraform alike, so a reviewer (or a compliance scanner)
can tell each rule's purpose without reading this module.

Egress: instances reach anything over IPv4, and over IPv6 only when the cluster has IPv6 (an IPv6-only
cluster or a subnet with an IPv6 block); an IPv4-only cluster gets no ``::/0`` rules at all, neither
egress nor ICMPv6 path MTU rules (its load balancers have no IPv6 address). The load balancers' groups
only reach what they forward to, the VPC's CIDRs (plus ``::/0`` on IPv6 clusters, whose VPC block AWS
assigns). Every group the cluster owns manages its egress, so AWS's default allow-all is revoked.

Rule names follow upstream (``from-<source>-<direction>-<protocol>-<from>to<to>-<group>``), so Terraform
resource names match. Every group except shared ones lists its managed ports, so a CIDR removed from the
spec has its rule revoked.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kops.engine import Task
from kops.errors import KopsError
from kops.firewall import ALL, ETCD_PORTS, cluster_rules
from kops.networking import FirewallRule

from kops_aws.model import AWSModel
from kops_aws.tags import TAG_NAME
from kops_aws.tasks.security_group import SecurityGroup
from kops_aws.tasks.security_group_rule import SecurityGroupRule

KOPS_CONTROLLER_PORT = 3988
ETCD_CILIUM_CLIENT = ETCD_PORTS["cilium"][0]
DEFAULT_NODE_PORTS = (30000, 32767)

#: IP protocol numbers for protocols other than TCP, UDP and ICMP, as security groups take them.
PROTOCOL_NUMBERS = {"ipip": "4", "gre": "47", "esp": "50", "ah": "51", "sctp": "132"}

DESCRIPTIONS = {"ControlPlane": "Security group for masters", "Node": "Security group for nodes",
                "Bastion": "Security group for bastion"}

#: How rule descriptions name each role's group.
LABELS = {"ControlPlane": "the control plane", "Node": "nodes", "Bastion": "the bastion",
          "APILoadBalancer": "the API load balancer", "BastionLoadBalancer": "the bastion load balancer"}

#: Well-known TCP ports, as rule descriptions name them.
TCP_SERVICES = {22: "SSH", 443: "HTTPS", 8443: "HTTPS (client certificates)", KOPS_CONTROLLER_PORT: "kops-controller",
                ETCD_CILIUM_CLIENT: "etcd for Cilium"}


@dataclasses.dataclass
class Group:
    """A role's security group as rules see it: the task, and the suffix rule names carry for it."""

    task: SecurityGroup
    suffix: str = ""


def join_suffixes(src: Group, dest: Group) -> str:
    """A rule name's suffix for traffic between two groups; empty when both are the role's default group."""
    if not src.suffix and not dest.suffix:
        return ""
    return (src.suffix or "-default") + (dest.suffix or "-default")


def rule_name(rule: SecurityGroupRule) -> str:
    """Upstream's generated name for a rule between a group and a source (or destination)."""
    assert rule.security_group is not None
    if rule.source_group is not None:
        target = rule.source_group.name
    else:
        target = rule.cidr or rule.ipv6_cidr or "0.0.0.0/0"
    protocol = rule.protocol or "all"
    group = rule.security_group.name
    if rule.egress:
        src, direction, dst = group, "egress", target
    else:
        src, direction, dst = target, "ingress", group
    return f"from-{src}-{direction}-{protocol}-{rule.from_port or 0}to{rule.to_port or 0}-{dst}"


class _Build:
    def __init__(self, aws: AWSModel):
        self.aws = aws
        self.spec = aws.spec
        self.tasks: list[Task] = []
        self.rules: list[SecurityGroupRule] = []
        self._names: dict[str, SecurityGroupRule] = {}
        #: How descriptions name each group, by the group task's identity.
        self._labels: dict[int, str] = {}
        self.ipv6 = aws.ipv6_only or any(s.ipv6CIDR for s in aws.subnets)

    # --- groups ------------------------------------------------------------------------------------

    def groups(self, role: str, managed_ports: list[list[int]]) -> list[Group]:
        """The role's groups: one per distinct override among its instance groups, plus the default group
        when some instance group of the role does not override it (no instance groups: no groups)."""
        aws = self.aws
        roles = ("Master", "ControlPlane") if role == "ControlPlane" else (role,)
        members = aws.model.groups_with_role(*roles)
        out: list[Group] = []
        seen: set[str] = set()
        for ig in members:
            override = ig.spec.securityGroupOverride
            if override and override not in seen:
                seen.add(override)
                out.append(Group(SecurityGroup(name=f"{override}-{role}", lifecycle=aws.lifecycle(True),
                                               vpc=aws.vpc, id=override), f"-{override}"))
                self._labels[id(out[-1].task)] = f"{LABELS[role]} (group {override})"
        if not all(ig.spec.securityGroupOverride for ig in members):
            name = aws.name_for("security_group", role)
            out.append(Group(SecurityGroup(name=name, vpc=aws.vpc, description=DESCRIPTIONS[role],
                                           tags=aws.tags(name), managed_ports=managed_ports, managed_egress=True)))
            self._labels[id(out[-1].task)] = LABELS[role]
        self.tasks.extend(g.task for g in out)
        return out

    # --- rules -------------------------------------------------------------------------------------

    def directional(self, group: SecurityGroup, *, named: bool = True, name: str | None = None,
                    **fields: Any) -> SecurityGroupRule:
        """A rule named as upstream names it; ``named`` rules also carry their group's tags and a Name."""
        rule = SecurityGroupRule(name=name or "", security_group=group, **fields)
        if named:
            rule.name = rule_name(rule)
            rule.tags = {**(group.tags or {}), TAG_NAME: rule.name}
        elif not name:
            raise KopsError("an unnamed rule needs a name")
        return self._add(rule)

    def _add(self, rule: SecurityGroupRule) -> SecurityGroupRule:
        """Keep the first of rules with the same name: two reasons for the same traffic make one rule."""
        existing = self._names.get(rule.name)
        if existing is None:
            if not rule.description:
                rule.description = self.describe(rule)
            existing = self._names[rule.name] = rule
            self.rules.append(rule)
        return existing

    def access(self, group: SecurityGroup, cidr: str, *, named: bool = True, name: str | None = None,
               **fields: Any) -> SecurityGroupRule:
        """A rule from an access entry (a CIDR, an IPv6 CIDR or a prefix list)."""
        rule = SecurityGroupRule(name=name or "", security_group=group, **fields).set_cidr_or_prefix(cidr)
        if named:
            rule.name = rule_name(rule)
            rule.tags = {**(group.tags or {}), TAG_NAME: rule.name}
        return self._add(rule)

    def describe(self, rule: SecurityGroupRule) -> str:
        """What a rule lets through, from where to where: ``SSH from 0.0.0.0/0 to the bastion load balancer``."""
        assert rule.security_group is not None
        protocol, lo, hi = rule.protocol, rule.from_port, rule.to_port
        ports = "" if lo is None else f" port {lo}" if lo == hi else f" ports {lo}-{hi}"
        if protocol is None:
            what = "All traffic"
        elif protocol in ("icmp", "icmpv6"):
            what = f"{protocol.upper()} path MTU discovery"
        elif protocol == "tcp" and lo == hi and lo in TCP_SERVICES:
            what = TCP_SERVICES[lo]
        elif protocol in ("tcp", "udp"):
            what = f"{protocol.upper()}{ports}"
        elif protocol == PROTOCOL_NUMBERS["ipip"]:
            what = "IP-in-IP"
        else:
            what = f"IP protocol {protocol}"
        group = self.label(rule.security_group)
        if rule.source_group is not None:
            other = self.label(rule.source_group)
        else:
            other = rule.prefix_list or rule.ipv6_cidr or rule.cidr or "0.0.0.0/0"
        return f"{what} from {group} to {other}" if rule.egress else f"{what} from {other} to {group}"

    def label(self, group: SecurityGroup) -> str:
        return self._labels.get(id(group)) or f"group {group.name}"

    def egress_everywhere(self, group: SecurityGroup) -> None:
        """Instances' egress: anywhere over IPv4, and over IPv6 when the cluster has IPv6."""
        self.directional(group, egress=True, cidr="0.0.0.0/0")
        if self.ipv6:
            self.directional(group, egress=True, ipv6_cidr="::/0")

    def egress_to_vpc(self, group: SecurityGroup) -> None:
        """A load balancer's egress: only the VPC, where its targets are (anywhere when the VPC's CIDR is
        unknown, a shared VPC named without ``networkCIDR``). On IPv6 clusters also ``::/0``: the VPC's IPv6
        block is assigned by AWS, so no rule could name it before the VPC exists."""
        spec = self.spec
        cidrs = [c for c in [spec.networkCIDR, *(spec.additionalNetworkCIDRs or [])] if c]
        for cidr in cidrs or ["0.0.0.0/0"]:
            self.directional(group, egress=True, cidr=cidr)
        if self.ipv6:
            self.directional(group, egress=True, ipv6_cidr="::/0")

    def pmtu(self, group: SecurityGroup, cidr: str, prefix: str) -> None:
        """The ICMP rule that lets path MTU discovery reach a load balancer from an access entry: ICMPv6 for
        IPv6 entries (and prefix lists, which may hold either), only when the cluster has IPv6."""
        v6 = not cidr.startswith("pl-") and ":" in cidr
        if not v6:
            self.access(group, cidr, named=False, name=f"icmp-pmtu-{prefix}-{cidr}", protocol="icmp",
                        from_port=3, to_port=4)
        if self.ipv6 and (v6 or cidr.startswith("pl-")):
            self.access(group, cidr, named=False, name=f"icmpv6-pmtu-{prefix}-{cidr}", protocol="icmpv6",
                        from_port=-1, to_port=-1)

    def run(self) -> list[Task]:
        spec = self.spec
        bastions = bool(self.aws.model.groups_with_role("Bastion"))
        api_lb = spec.api.loadBalancer if spec.api else None
        groups = {
            "Node": self.groups("Node", [[22, 22]] + ([list(self.node_ports())] if spec.nodePortAccess else [])),
            "ControlPlane": self.groups("ControlPlane", [[22, 22], [443, 443]]),
            "Bastion": self.groups("Bastion", [[22, 22]]) if bastions else [],
        }
        for role_groups in groups.values():
            for group in role_groups:
                self.egress_everywhere(group.task)
        for rule in cluster_rules(self.aws.model):
            fields = self.rule_fields(rule)
            for src in groups[rule.from_role]:
                for dest in groups[rule.to_role]:
                    self.directional(dest.task, source_group=src.task, **fields)
        nodes, masters = groups["Node"], groups["ControlPlane"]
        self.external_access(nodes, masters, bastions, api_lb is not None)
        if api_lb is not None:
            self.api_load_balancer(api_lb, nodes, masters)
        if bastions:
            self.bastion_load_balancer(groups["Bastion"])
        self.note_wanted_permissions()
        return [*self.tasks, *self.rules]

    @staticmethod
    def rule_fields(rule: FirewallRule) -> dict[str, Any]:
        """A role-to-role rule of core's as a security group rule's fields: all traffic, TCP or UDP with ports,
        another protocol (IP-in-IP, ESP...) by its number."""
        protocol = rule.protocol.lower()
        if protocol == ALL:
            return {}
        if protocol in ("tcp", "udp"):
            return {"protocol": protocol, "from_port": rule.port_from or 1,
                    "to_port": rule.port_to or rule.port_from or 65535}
        return {"protocol": PROTOCOL_NUMBERS.get(protocol, protocol)}

    def node_ports(self) -> tuple[int, int]:
        api_server = self.spec.kubeAPIServer
        text = getattr(api_server, "serviceNodePortRange", None) if api_server else None
        if not text:
            return DEFAULT_NODE_PORTS
        lo, _, hi = str(text).partition("-")
        return int(lo), int(hi or lo)

    def external_access(self, nodes: list[Group], masters: list[Group], uses_bastion: bool, api_lb: bool) -> None:
        spec = self.spec
        if not uses_bastion:
            for cidr in spec.sshAccess or []:
                for group in masters + nodes:
                    self.access(group.task, cidr, protocol="tcp", from_port=22, to_port=22)
        lo, hi = self.node_ports()
        for cidr in spec.nodePortAccess or []:
            for node in nodes:
                for protocol in ("tcp", "udp"):
                    self.access(node.task, cidr, named=False, protocol=protocol, from_port=lo, to_port=hi,
                                name=f"nodeport-{protocol}-external-to-node-{cidr}{node.suffix}")
        if not api_lb:
            for cidr in spec.kubernetesApiAccess or []:
                for master in masters:
                    self.access(master.task, cidr, protocol="tcp", from_port=443, to_port=443)

    def api_load_balancer(self, lb: Any, nodes: list[Group], masters: list[Group]) -> None:
        aws = self.aws
        name = aws.name_for("security_group", "APILoadBalancer")
        managed = [[443, 443]] + ([[8443, 8443]] if lb.sslCertificate else [])
        if lb.securityGroupOverride:
            group = SecurityGroup(name=name, lifecycle=aws.lifecycle(True), vpc=aws.vpc, id=lb.securityGroupOverride)
        else:
            group = SecurityGroup(name=name, vpc=aws.vpc, description="Security group for api ELB",
                                  tags=aws.tags(name), managed_ports=managed, managed_egress=True)
        self.tasks.append(group)
        self._labels[id(group)] = LABELS["APILoadBalancer"]
        self.egress_to_vpc(group)
        for cidr in self.spec.kubernetesApiAccess or []:
            self.access(group, cidr, protocol="tcp", from_port=443, to_port=443)
            if lb.sslCertificate:
                self.access(group, cidr, protocol="tcp", from_port=8443, to_port=8443)
            self.pmtu(group, cidr, "api-elb")
        kops_controller = self.uses_lb_for_kops_controller()
        if kops_controller:
            for node in nodes:
                self.directional(group, named=False, name=f"node{node.suffix}-to-elb", source_group=node.task)
        for master in masters:
            s = master.suffix
            if lb.sslCertificate:
                self.directional(master.task, named=False, name=f"tcp-api-cp{s}", source_group=group,
                                 protocol="tcp", from_port=8443, to_port=8443)
            self.directional(master.task, named=False, name=f"https-elb-to-master{s}", source_group=group,
                             protocol="tcp", from_port=443, to_port=443)
            self.directional(master.task, named=False, name=f"icmp-pmtu-elb-to-cp{s}", source_group=group,
                             protocol="icmp", from_port=3, to_port=4)
            self.directional(group, named=False, name=f"icmp-pmtu-cp{s}-to-elb", source_group=master.task,
                             protocol="icmp", from_port=3, to_port=4)
            if kops_controller:
                self.directional(master.task, named=False, name=f"kops-controller-elb-to-cp{s}", source_group=group,
                                 protocol="tcp", from_port=KOPS_CONTROLLER_PORT, to_port=KOPS_CONTROLLER_PORT)
                cilium = self.spec.networking.cilium if self.spec.networking else None
                if cilium is not None and getattr(cilium, "etcdManaged", None):
                    self.directional(master.task, named=False, name=f"etcd-cilium-elb-to-cp{s}", source_group=group,
                                     protocol="tcp", from_port=ETCD_CILIUM_CLIENT, to_port=ETCD_CILIUM_CLIENT)

    def uses_lb_for_kops_controller(self) -> bool:
        """Nodes reach kops-controller through the API load balancer when there are no DNS records."""
        topology = self.spec.topology
        return bool(topology and topology.dns and topology.dns.type == "None")

    def bastion_load_balancer(self, bastions: list[Group]) -> None:
        aws = self.aws
        name = aws.name_for("security_group", "BastionLoadBalancer")
        lb = SecurityGroup(name=name, vpc=aws.vpc, description="Security group for bastion ELB", tags=aws.tags(name),
                           managed_ports=[[22, 22]], managed_egress=True)
        self.tasks.append(lb)
        self._labels[id(lb)] = LABELS["BastionLoadBalancer"]
        self.egress_to_vpc(lb)
        topology = self.spec.topology
        bastion_lb = topology.bastion.loadBalancer if topology and topology.bastion else None
        internal = bool(bastion_lb and bastion_lb.type == "Internal")
        types = ("Private", "DualStack") if internal else ("Public", "Utility")
        cidrs = [s.cidr for s in aws.subnets if s.type in types and s.cidr]
        for cidr in [*cidrs, *(self.spec.sshAccess or [])]:
            self.access(lb, cidr, protocol="tcp", from_port=22, to_port=22)
            self.pmtu(lb, cidr, "ssh-nlb")
        for b in bastions:
            self.directional(b.task, source_group=lb, protocol="tcp", from_port=22, to_port=22)
            self.directional(b.task, source_group=lb, protocol="icmp", from_port=3, to_port=4)
            self.directional(lb, source_group=b.task, protocol="icmp", from_port=3, to_port=4)

    def note_wanted_permissions(self) -> None:
        """Tell each group which address-based permissions its rules ask for, so it can revoke the rest."""
        for group in self.tasks:
            if isinstance(group, SecurityGroup) and (group.managed_ports or group.managed_egress):
                group.wanted_permissions = [p for r in self.rules if r.security_group is group
                                            and r.source_group is None and (p := r.permission()) is not None]


class FirewallBuilder:
    def build(self, aws: AWSModel) -> list[Task]:
        return _Build(aws).run()


BUILDER = FirewallBuilder()
