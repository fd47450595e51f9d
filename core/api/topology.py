"""Where the cluster lives: subnets, public/private topology, the bastion and the DNS zone type."""

from .base import KopsModel


class BastionLoadBalancerSpec(KopsModel):
    """The load balancer in front of the bastion hosts."""

    additionalSecurityGroups: list[str] | None = None
    type: str | None = None


class BastionSpec(KopsModel):
    """The bastion host used to reach machines in private subnets."""

    bastionPublicName: str | None = None
    idleTimeoutSeconds: int | None = None
    loadBalancer: BastionLoadBalancerSpec | None = None


class DNSSpec(KopsModel):
    """Visibility of the cluster's DNS zone: Public, Private or None."""

    type: str | None = None


class TopologySpec(KopsModel):
    """Whether nodes and control plane sit in public or private subnets, plus bastion and DNS zone type."""

    masters: str | None = None
    nodes: str | None = None
    bastion: BastionSpec | None = None
    dns: DNSSpec | None = None


class RouteSpec(KopsModel):
    """An extra route added to a subnet's route table."""

    cidr: str | None = None
    target: str | None = None


class ClusterSubnetSpec(KopsModel):
    """One subnet of the cluster network: a zone, a CIDR and whether it is public or private."""

    name: str | None = None
    zone: str | None = None
    region: str | None = None
    cidr: str | None = None
    ipv6CIDR: str | None = None
    id: str | None = None
    egress: str | None = None
    type: str | None = None
    publicIP: str | None = None
    additionalRoutes: list[RouteSpec] | None = None
