"""The AWS model: builders that turn a completed cluster into AWS tasks, one module per concern.

Each module of this package listed in :data:`MODULES` has a ``BUILDER`` with ``build(aws: AWSModel) ->
list[Task]``. :func:`builders` wraps them for the ``kops_model_builders`` hook (which calls
``build(model)`` with a :class:`kops.model.ModelContext`). The run's task registry is the model's, so a
builder reaches the tasks of the builders before it (a launch template finds its subnet and security group
tasks by object), and so can other plugins' builders. Builders run in :data:`MODULES` order.
"""

from __future__ import annotations

import dataclasses
import importlib
import ipaddress
from collections.abc import Iterable
from typing import Any, Protocol

from kops.engine import Lifecycle, Task
from kops.errors import KopsError
from kops.ownership import STORE_TAG

from kops_aws.tags import TAG_NAME, cluster_tags, shared_tags

#: The model's modules, in build order: what later modules look up must be built by earlier ones (DNS
#: after the load balancers, which its records alias; compute after IAM and the load balancers; service
#: accounts' roles after the OIDC provider they trust).
MODULES = [
    "network",
    "firewall",
    "issuer",
    "iam",
    "api_lb",
    "dns",
    "etcd",
    "compute",
    "nth",
    "storage",
]

#: Security group roles and how upstream names their groups (``masters.<cluster>``).
SECURITY_GROUP_PREFIXES = {
    "ControlPlane": "masters",
    "Node": "nodes",
    "Bastion": "bastion",
    "APILoadBalancer": "api-elb",
    "BastionLoadBalancer": "bastion-elb",
}

#: Instance group roles as upstream spells them, by the role the model uses.
_ROLE_ALIASES = {"Master": "ControlPlane", "APIServer": "ControlPlane"}


class Builder(Protocol):
    def build(self, aws: AWSModel) -> list[Task]: ...


class AWSModel:
    """One run's view of the cluster for AWS builders: spec facts, names, tags, and the tasks built so far."""

    def __init__(self, model: Any):
        #: The :class:`kops.model.ModelContext` of the run.
        self.model = model
        self.cluster = model.cluster
        self.spec = model.cluster.spec
        self.cluster_name: str = model.cluster_name

    # --- facts -------------------------------------------------------------------------------------

    @property
    def subnets(self) -> list[Any]:
        """The cluster's subnet specs (``spec.subnets``) in spec order."""
        return self.model.subnets

    @property
    def zones(self) -> list[str]:
        """Every zone a subnet is in, sorted."""
        return self.model.zones

    @property
    def region(self) -> str:
        return self.model.region

    def zone_of(self, subnet: Any, needed_by: str) -> str:
        """The zone of ``subnet`` (a spec entry), which ``needed_by`` needs. A shared subnet's zone may be left to
        AWS, which ``kops update cluster`` asks; Terraform output asks nothing, so there it must be given."""
        if subnet.zone:
            return str(subnet.zone)
        i = self.subnets.index(subnet)
        raise KopsError(f"Cluster/{self.cluster_name}: spec.subnets[{i}].zone: required for Terraform output "
                        f"({needed_by}), which asks AWS nothing: give the zone of {subnet.id}")

    @property
    def shared_vpc(self) -> bool:
        """Whether the VPC is the user's (``networkID`` is set): looked up, never modified or deleted."""
        return bool(self.spec.networkID)

    @property
    def ipv6_only(self) -> bool:
        """Whether pods and services use IPv6 (upstream's ``IsIPv6Only``): the non-masquerade CIDR is IPv6."""
        cidr = self.spec.nonMasqueradeCIDR
        return bool(cidr) and ipaddress.ip_network(cidr, strict=False).version == 6

    @staticmethod
    def lifecycle(shared: bool = False) -> Lifecycle:
        """Sync for what the cluster owns; ExistsAndWarnIfChanges for what it borrows (never changed)."""
        return Lifecycle.EXISTS_AND_WARN_IF_CHANGES if shared else Lifecycle.SYNC

    # --- names and tags ----------------------------------------------------------------------------

    def name_for(self, kind: str, arg: str | None = None) -> str:
        """Upstream's name for a resource: ``name_for("security_group", "Node")`` is ``nodes.<cluster>``.

        Kinds: ``vpc`` (also the internet gateway, DHCP options and public route table), ``subnet``
        (``arg``: the subnet's spec name), ``security_group`` (``arg``: a role of
        :data:`SECURITY_GROUP_PREFIXES` or an instance group role), ``private_route_table`` and
        ``public_route_table`` (``arg``: a zone; the latter for IPv6 public subnets), ``nat_gateway``
        and ``elastic_ip`` (``arg``: a zone).
        """
        c = self.cluster_name
        if kind == "vpc":
            return c
        if kind == "security_group":
            role = _ROLE_ALIASES.get(arg or "", arg or "")
            if role not in SECURITY_GROUP_PREFIXES:
                raise KopsError(f"no security group for role {arg!r}")
            return f"{SECURITY_GROUP_PREFIXES[role]}.{c}"
        if arg is None:
            raise KopsError(f"a {kind} name needs an argument")
        if kind in ("subnet", "nat_gateway", "elastic_ip"):
            return f"{arg}.{c}"
        if kind == "private_route_table":
            return f"private-{arg}.{c}"
        if kind == "public_route_table":
            return f"public-{arg}.{c}"
        raise KopsError(f"no naming rule for {kind!r}")

    def tags(self, name: str | None, shared: bool = False, labels: dict[str, str] | None = None) -> dict[str, str]:
        """Upstream's tags for a resource: ``spec.cloudLabels`` (and ``labels``, a group's own, over them), then
        ``Name``, the ownership tags and the state store's ID, which no label can override.

        A shared resource gets only ``kubernetes.io/cluster/<name>: shared`` (its name is the owner's).
        """
        if shared:
            return shared_tags(self.cluster_name)
        tags = {**(self.spec.cloudLabels or {}), **(labels or {})}
        if name:
            tags[TAG_NAME] = name
        tags.update(cluster_tags(self.cluster_name))
        if self.model.store_id:
            tags[STORE_TAG] = self.model.store_id
        return tags

    # --- the tasks built so far (the run's registry, shared with every plugin's builders) ----------

    def add(self, tasks: Iterable[Task]) -> None:
        self.model.add(tasks)

    def find(self, type_name: str, name: str) -> Task | None:
        return self.model.find(type_name, name)

    def get(self, type_name: str, name: str) -> Task:
        return self.model.get(type_name, name)

    @property
    def vpc(self) -> Task:
        return self.get("VPC", self.name_for("vpc"))

    def subnet(self, name: str) -> Task:
        """The Subnet task of the subnet spec called ``name`` (``us-test-1a``, ``utility-us-test-1a``)."""
        return self.get("Subnet", self.name_for("subnet", name))

    def security_group(self, role: str) -> Task:
        """The SecurityGroup task of a role (``ControlPlane``, ``Node``, ``Bastion``, ``APILoadBalancer``...)."""
        return self.get("SecurityGroup", self.name_for("security_group", role))


class _Bound:
    """A module's builder, as the hook hands it out: it builds against an :class:`AWSModel` of the run's model."""

    def __init__(self, builder: Builder):
        self.builder = builder

    def __repr__(self) -> str:
        return f"<AWS {type(self.builder).__name__}>"

    def build(self, model: Any) -> list[Task]:
        tasks = list(self.builder.build(AWSModel(model)))
        model.add(tasks)  # later builders find them
        return tasks


def builders() -> list[Any]:
    """The AWS model's builders, in :data:`MODULES` order."""
    return [_Bound(importlib.import_module(f"{__name__}.{name}").BUILDER) for name in MODULES]


def build_all(model: Any) -> list[Task]:
    """Every AWS task for ``model``, as a new run builds them: the hook's builders called in order, with a task
    registry of their own."""
    run = dataclasses.replace(model, _tasks={})
    return [task for builder in builders() for task in builder.build(run)]
