"""The cluster's network: VPC, DHCP options, subnets, gateways, route tables and routes (as upstream's
``awsmodel/network.go`` lays them out).

- A VPC named ``<cluster>`` with DNS support and hostnames and an Amazon IPv6 block; or the user's VPC
  (``networkID``), looked up and never changed, in which case DHCP options and extra CIDRs are left alone.
- A subnet per spec entry, named ``<subnet>.<cluster>`` and tagged for load balancers by type; a subnet
  with an ``id`` is the user's and only looked up.
- Public subnets share the route table ``<cluster>`` whose default routes go to the internet gateway.
- Private subnets get a route table per zone (``private-<zone>.<cluster>``) whose default route goes to
  the zone's NAT gateway in the utility subnet, or to the egress the spec names (``nat-``, ``eipalloc-``,
  ``i-``, ``tgw-``; ``External`` leaves routing to the user).
- IPv6-only clusters add an egress-only internet gateway, NAT64 routes and a public route table per zone.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.engine import Task
from kops.errors import KopsError

from kops_aws.model import AWSModel
from kops_aws.tags import TAG_KOPS_ROLE, TAG_SUBNET_INTERNAL_ELB, TAG_SUBNET_PUBLIC_ELB
from kops_aws.tasks.dhcp_options import DHCPOptions, VPCDHCPOptionsAssociation
from kops_aws.tasks.egress_only_internet_gateway import EgressOnlyInternetGateway
from kops_aws.tasks.elastic_ip import ElasticIP
from kops_aws.tasks.internet_gateway import InternetGateway
from kops_aws.tasks.nat_gateway import NatGateway
from kops_aws.tasks.route import Route
from kops_aws.tasks.route_table import RouteTable
from kops_aws.tasks.route_table_association import RouteTableAssociation
from kops_aws.tasks.subnet import Subnet
from kops_aws.tasks.vpc import VPC
from kops_aws.tasks.vpc_cidr_block import VPCCIDRBlock

PUBLIC_TYPES = ("Public", "Utility")
PRIVATE_TYPES = ("Private", "DualStack")
#: Where IPv6-only instances reach IPv4 addresses through the NAT gateway.
NAT64_PREFIX = "64:ff9b::/96"


def dhcp_domain(region: str) -> str:
    """The domain AWS's resolver gives instances: ``ec2.internal`` in us-east-1, else
    ``<region>.compute.internal``."""
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def unmanaged(subnet: Any) -> bool:
    """A subnet whose egress the user routes (``egress: External``)."""
    return subnet.egress == "External"


class _Build:
    """One build of the network, holding what its parts share."""

    def __init__(self, aws: AWSModel):
        self.aws = aws
        self.c = aws.cluster_name
        self.tasks: list[Task] = []
        self._shared: dict[tuple[str, str], Task] = {}

    def add(self, task: Task) -> Task:
        self.tasks.append(task)
        return task

    def shared(self, task: Task) -> Any:
        """A user's resource named in the spec (a NAT gateway, an internet gateway): one task per ID."""
        existing = self._shared.get(task.task_key)
        if existing is None:
            existing = self._shared[task.task_key] = self.add(task)
        return existing

    def run(self) -> list[Task]:
        aws, spec = self.aws, self.aws.spec
        subnets = aws.subnets
        shared_vpc = aws.shared_vpc
        self.vpc = vpc = self.add(VPC(
            name=self.c, lifecycle=aws.lifecycle(shared_vpc), cidr=spec.networkCIDR, enable_dns_support=True,
            enable_dns_hostnames=None if shared_vpc else True, amazon_ipv6=None if shared_vpc else True,
            tags=None if shared_vpc else aws.tags(self.c), id=spec.networkID or None))
        cidr_blocks: list[VPCCIDRBlock] = []
        if not shared_vpc:
            for cidr in spec.additionalNetworkCIDRs or []:
                cidr_blocks.append(self.add(VPCCIDRBlock(name=cidr, vpc=vpc, cidr=cidr)))
            dhcp = self.add(DHCPOptions(name=self.c, domain_name=dhcp_domain(aws.region),
                                        domain_name_servers=["AmazonProvidedDNS"], tags=aws.tags(self.c)))
            self.add(VPCDHCPOptionsAssociation(name=self.c, vpc=vpc, dhcp_options=dhcp))

        all_unmanaged = all(unmanaged(s) for s in subnets)
        all_private_unmanaged = all(unmanaged(s) for s in subnets if s.type in PRIVATE_TYPES)
        all_shared = all(s.id for s in subnets)

        self.igw: InternetGateway | None = None
        public_table: RouteTable | None = None
        if not all_unmanaged:
            self.igw = self.add(InternetGateway(name=self.c, lifecycle=aws.lifecycle(shared_vpc), vpc=vpc,
                                                tags=None if shared_vpc else aws.tags(self.c)))
            if not all_shared:
                public_table = self.add(RouteTable(name=self.c, vpc=vpc,
                                                   tags={**aws.tags(self.c), TAG_KOPS_ROLE: "public"}))
                self.add(Route(name="0.0.0.0/0", route_table=public_table, cidr="0.0.0.0/0", internet_gateway=self.igw))
                self.add(Route(name="::/0", route_table=public_table, ipv6_cidr="::/0", internet_gateway=self.igw))

        nat_subnets: dict[str, list[Any]] = {}
        private_zones: set[str] = set()
        ipv6_public_zones: set[str] = set()
        self.subnet_tasks: dict[str, Subnet] = {}
        for s in subnets:
            subnet = self.add(self._subnet(s, cidr_blocks))
            self.subnet_tasks[s.name] = subnet
            if s.id or unmanaged(s):
                continue
            if s.type in PUBLIC_TYPES:
                if aws.ipv6_only and s.type == "Public" and s.ipv6CIDR:
                    self.add(RouteTableAssociation(name=f"public-{s.name}.{self.c}", subnet=subnet,
                                                   route_table=self._public_table(s.zone)))
                    nat_subnets.setdefault(s.zone, []).append(s)
                    ipv6_public_zones.add(s.zone)
                else:
                    self.add(RouteTableAssociation(name=f"{s.name}.{self.c}", subnet=subnet, route_table=public_table))
            elif s.type in PRIVATE_TYPES:
                self.add(RouteTableAssociation(name=f"private-{s.name}.{self.c}", subnet=subnet,
                                               route_table=self._private_table(s.zone)))
                nat_subnets.setdefault(s.zone, []).append(s)
                private_zones.add(s.zone)
            else:
                raise KopsError(f"subnet {s.name!r} has unknown type {s.type!r}")

        self.eigw: EgressOnlyInternetGateway | None = None
        if not all_private_unmanaged and aws.ipv6_only:
            self.eigw = self.add(EgressOnlyInternetGateway(name=self.c, lifecycle=aws.lifecycle(shared_vpc), vpc=vpc,
                                                           tags=None if shared_vpc else aws.tags(self.c)))
        for zone in sorted(nat_subnets):
            self._zone_egress(zone, nat_subnets[zone], zone in private_zones, zone in ipv6_public_zones)
        return self.tasks

    def _subnet(self, s: Any, cidr_blocks: list[VPCCIDRBlock]) -> Subnet:
        aws, spec = self.aws, self.aws.spec
        name = aws.name_for("subnet", s.name)
        shared = bool(s.id)
        tags: dict[str, str] | None = None
        if not shared:
            tags = {}
            if not spec.DisableSubnetTags:
                tags = {**aws.tags(name), "SubnetType": s.type}
                tags.update(self._elb_tags(s))
                for ig in aws.model.instance_groups:
                    if ig.spec.manager == "Karpenter" and s.name in (ig.spec.subnets or []):
                        tags[f"kops.k8s.io/instance-group/{ig.metadata.name}"] = "true"
        naming = None
        if spec.cloudControllerManager is not None:
            naming = not bool(spec.cloudConfig and spec.cloudConfig.useIPBasedNodeNames)
        depends = []
        if s.cidr and not aws.shared_vpc:
            address = ipaddress.ip_network(s.cidr, strict=False).network_address
            depends = [b for b in cidr_blocks if address in ipaddress.ip_network(b.cidr)]
        return Subnet(name=name, lifecycle=aws.lifecycle(shared), vpc=self.vpc, zone=s.zone, cidr=s.cidr or None,
                      ipv6_cidr=s.ipv6CIDR or None, resource_based_naming=None if shared else naming, tags=tags,
                      short_name=s.name, id=s.id or None, depends_on=depends)

    def _elb_tags(self, s: Any) -> dict[str, str]:
        """Which subnets the cloud controller puts load balancers in (upstream's rules, by subnet type)."""
        subnets = self.aws.subnets
        any_private = any(x.type in PRIVATE_TYPES for x in subnets)
        dual_stack_zone = any(x.type == "DualStack" and x.zone == s.zone for x in subnets)
        if s.type in PUBLIC_TYPES:
            tags = {TAG_SUBNET_PUBLIC_ELB: "1"}
            if not any_private and not self.aws.ipv6_only:
                tags[TAG_SUBNET_INTERNAL_ELB] = "1"
            return tags
        if s.type == "DualStack" or (s.type == "Private" and not dual_stack_zone):
            return {TAG_SUBNET_INTERNAL_ELB: "1"}
        return {}

    def _private_table(self, zone: str) -> RouteTable:
        return self._table(self.aws.name_for("private_route_table", zone), f"private-{zone}")

    def _public_table(self, zone: str) -> RouteTable:
        return self._table(self.aws.name_for("public_route_table", zone), f"public-{zone}")

    def _table(self, name: str, role: str) -> RouteTable:
        existing = next((t for t in self.tasks if isinstance(t, RouteTable) and t.name == name), None)
        if existing is not None:
            return existing
        return self.add(RouteTable(name=name, vpc=self.vpc, tags={**self.aws.tags(name), TAG_KOPS_ROLE: role}))

    def _subnet_in_zone(self, zone: str, type_: str) -> Subnet:
        matches = [s for s in self.aws.subnets if s.zone == zone and s.type == type_]
        if len(matches) != 1:
            what = "no" if not matches else "more than one"
            raise KopsError(f"found {what} {type_.lower()} subnet in zone {zone}: the NAT gateway for the zone's "
                            f"private subnets needs exactly one")
        return self.subnet_tasks[matches[0].name]

    def _zone_egress(self, zone: str, subnets: list[Any], have_private: bool, have_ipv6_public: bool) -> None:
        aws = self.aws
        if all(unmanaged(s) for s in subnets):
            return
        egress, public_ip = subnets[0].egress or "", subnets[0].publicIP or ""
        if any((s.egress or "") != egress for s in subnets):
            raise KopsError(f"zone {zone}: private subnets must all have the same egress")
        if any((s.publicIP or "") != public_ip for s in subnets):
            raise KopsError(f"zone {zone}: private subnets must all have the same publicIP")
        if have_private:
            egress_subnet = self._subnet_in_zone(zone, "Utility")
        else:
            egress_subnet = self._subnet_in_zone(zone, "Public")
        name = aws.name_for("nat_gateway", zone)
        nat: NatGateway | None = None
        target: dict[str, Any] = {}
        if egress.startswith("nat-"):
            nat = self.add(NatGateway(name=name, lifecycle=aws.lifecycle(True), id=egress))
        elif egress.startswith("eipalloc-"):
            eip = self.add(ElasticIP(name=name, lifecycle=aws.lifecycle(True), id=egress))
            nat = self.add(NatGateway(name=name, subnet=egress_subnet, elastic_ip=eip, tags=aws.tags(name)))
        elif egress.startswith("i-"):
            target = {"instance_id": egress}
        elif egress.startswith("tgw-"):
            target = {"transit_gateway_id": egress}
        elif egress == "External":
            pass
        elif egress:
            raise KopsError(f"zone {zone}: egress {egress!r} is not supported: use a NAT gateway (nat-...), an "
                            f"Elastic IP (eipalloc-...), a NAT instance (i-...), a transit gateway (tgw-...) or "
                            f"External")
        else:
            if public_ip:
                eip = self.add(ElasticIP(name=name, lifecycle=aws.lifecycle(True), public_ip=public_ip))
            else:
                eip = self.add(ElasticIP(name=aws.name_for("elastic_ip", zone), tags=aws.tags(name)))
            nat = self.add(NatGateway(name=name, subnet=egress_subnet, elastic_ip=eip, tags=aws.tags(name)))
        if nat is not None:
            target = {"nat_gateway": nat}

        if have_private:
            table = self._private_table(zone)
            if target:
                self.add(Route(name=f"private-{zone}-0.0.0.0/0", route_table=table, cidr="0.0.0.0/0", **target))
            if aws.ipv6_only:
                if target and "instance_id" not in target:
                    self.add(Route(name=f"private-{zone}-{NAT64_PREFIX}", route_table=table, ipv6_cidr=NAT64_PREFIX,
                                   **target))
                self.add(Route(name=f"private-{zone}-::/0", route_table=table, ipv6_cidr="::/0",
                               egress_only_gateway=self.eigw))
            for s in aws.subnets:
                if s.zone == zone and s.type == "Private":
                    self._additional_routes(s, table)
        if have_ipv6_public:
            table = self._public_table(zone)
            self.add(Route(name=f"public-{zone}-0.0.0.0/0", route_table=table, cidr="0.0.0.0/0",
                           internet_gateway=self.igw))
            self.add(Route(name=f"public-{zone}-::/0", route_table=table, ipv6_cidr="::/0", internet_gateway=self.igw))
            if target and "instance_id" not in target:
                self.add(Route(name=f"public-{zone}-{NAT64_PREFIX}", route_table=table, ipv6_cidr=NAT64_PREFIX,
                               **target))

    def _additional_routes(self, s: Any, table: RouteTable) -> None:
        """A private subnet's ``additionalRoutes``, each to the target its ID names."""
        shared = self.aws.lifecycle(True)
        for r in s.additionalRoutes or []:
            t = r.target or ""
            target: dict[str, Any]
            if t.startswith("pcx-"):
                target = {"peering_connection_id": t}
            elif t.startswith("i-"):
                target = {"instance_id": t}
            elif t.startswith("tgw-"):
                target = {"transit_gateway_id": t}
            elif t.startswith("nat-"):
                target = {"nat_gateway": self.shared(NatGateway(name=t, lifecycle=shared, id=t))}
            elif t.startswith("igw-"):
                target = {"internet_gateway": self.shared(InternetGateway(name=t, lifecycle=shared, id=t))}
            elif t.startswith("eigw-"):
                target = {"egress_only_gateway": self.shared(EgressOnlyInternetGateway(name=t, lifecycle=shared, id=t))}
            else:
                raise KopsError(f"subnet {s.name}: route to {r.cidr} has an unsupported target {t!r}")
            self.add(Route(name=f"{s.name}.{r.cidr}", route_table=table, cidr=r.cidr, **target))


class NetworkBuilder:
    def build(self, aws: AWSModel) -> list[Task]:
        return _Build(aws).run()


BUILDER = NetworkBuilder()
