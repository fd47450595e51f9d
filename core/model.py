"""What model builders are given: the completed cluster and everything decided before any cloud call.

A model builder (returned by the ``kops_model_builders`` hook) turns this into tasks: ``build(model)``
returns a list of :class:`kops.engine.Task`. Builders never parse flags and never call a cloud API;
they read the completed spec and the facts collected here, so the same builders serve the dry run,
the direct apply and Terraform.

Builders of every plugin share the run's task registry (:meth:`ModelContext.add`, :meth:`~ModelContext.find`,
:meth:`~ModelContext.get`): a builder finds what builders before it made (a launch template its security group)
and may extend it (an add-on's plugin adds a statement to a role another plugin made). The instance-group facts
every cloud needs live here too: roles, the node labels of a group's nodes, the cluster autoscaler's tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError

CONTROL_PLANE, API_SERVER, NODE, BASTION = "ControlPlane", "APIServer", "Node", "Bastion"
#: Labels every control-plane node carries.
CONTROL_PLANE_LABELS = {
    "node-role.kubernetes.io/control-plane": "",
    "kops.k8s.io/kops-controller-pki": "",
    "node.kubernetes.io/exclude-from-external-load-balancers": "",
}
#: The label naming a node's instance group (kops-controller applies it; the autoscaler templates it).
INSTANCE_GROUP_LABEL = "kops.k8s.io/instancegroup"
#: Prefixes of the tags that tell the cluster autoscaler a group's node labels and taints before it has nodes.
AUTOSCALER_LABEL_PREFIX = "k8s.io/cluster-autoscaler/node-template/label/"
AUTOSCALER_TAINT_PREFIX = "k8s.io/cluster-autoscaler/node-template/taint/"
#: The tag the cluster autoscaler discovers the groups it may resize by, alongside one naming the cluster.
AUTOSCALER_DISCOVERY_TAG = "k8s.io/cluster-autoscaler/enabled"


def role_of(group: Any) -> str:
    """A group's role (an API object or its tree), with upstream's old spelling ``Master`` read as ``ControlPlane``."""
    role = (group["spec"].get("role") if isinstance(group, dict) else group.spec.role) or NODE
    return CONTROL_PLANE if role == "Master" else role


#: ``--instance-group-roles`` values, upstream's spellings included.
ROLE_FLAG_VALUES = {"control-plane": CONTROL_PLANE, "controlplane": CONTROL_PLANE, "master": CONTROL_PLANE,
                    "apiserver": API_SERVER, "node": NODE, "bastion": BASTION}


def parse_roles(names: list[str] | None) -> tuple[str, ...]:
    """``--instance-group-roles`` values as :func:`kops.model.role_of` spells roles; an unknown one is an error."""
    unknown = [n for n in names or () if n.lower() not in ROLE_FLAG_VALUES]
    if unknown:
        raise KopsError(f"--instance-group-roles: unknown role {unknown[0]!r} (roles: control-plane, apiserver, "
                        "node, bastion)")
    return tuple(ROLE_FLAG_VALUES[n.lower()] for n in names or ())


def node_labels(spec: dict[str, Any], group: dict[str, Any]) -> dict[str, str]:
    """The Kubernetes labels of a group's nodes (upstream's ``BuildNodeLabels``), from the trees of the cluster's
    completed spec and the group: the role's kubelet labels, the group's kubelet labels, the role's own labels,
    then the group's ``nodeLabels``, which win."""
    role = role_of(group)
    gspec = group["spec"]
    labels: dict[str, str] = {}
    for kubelet in (spec.get("masterKubelet" if role == CONTROL_PLANE else "kubelet"), gspec.get("kubelet")):
        labels.update((kubelet or {}).get("nodeLabels") or {})
    if role == API_SERVER:
        labels["node-role.kubernetes.io/api-server"] = ""
    elif role == CONTROL_PLANE:
        labels.update(CONTROL_PLANE_LABELS)
    elif role == NODE:
        labels["node-role.kubernetes.io/node"] = ""
    labels.update(gspec.get("nodeLabels") or {})
    return labels


def autoscaler_tags(spec: dict[str, Any], group: dict[str, Any], cluster_name: str) -> dict[str, str]:
    """The tags by which the cluster autoscaler knows a group before it has nodes: its nodes' labels and taints,
    and, for a node group it may resize, the discovery tags."""
    tags = {AUTOSCALER_LABEL_PREFIX + key: value for key, value in node_labels(spec, group).items()}
    for taint in group["spec"].get("taints") or []:
        head, _, effect = taint.rpartition(":")  # key=value:effect, or key:effect
        key, _, value = head.partition("=")
        if key and effect:
            tags[AUTOSCALER_TAINT_PREFIX + key] = f"{value}:{effect}"
    if autoscaled(spec, group):
        tags[AUTOSCALER_DISCOVERY_TAG] = "1"
        tags[f"k8s.io/cluster-autoscaler/{cluster_name}"] = "owned"
    return tags


def autoscaled(spec: dict[str, Any], group: dict[str, Any]) -> bool:
    """Whether the cluster autoscaler may resize a group: a node group, when the autoscaler is enabled and the group
    does not opt out with ``autoscale: false`` (upstream's rule for the groups it lists)."""
    autoscaler = spec.get("clusterAutoscaler") or {}
    return bool(autoscaler.get("enabled")) and role_of(group) == NODE and group["spec"].get("autoscale") is not False


@dataclass
class BootstrapFile:
    """A file nodes read at boot from the state store (nodeup configs, add-on manifests, the completed spec)."""

    #: Path relative to the cluster's folder in the state store (``igconfig/node/nodes/nodeupconfig.yaml``).
    path: str
    content: bytes
    #: Secret material: stored privately and never rendered into plans or Terraform.
    private: bool = False
    #: Stored exactly as given: never filled in with account facts nor templated by Terraform (the node bundle,
    #: whose code spells the placeholders itself).
    verbatim: bool = False


@dataclass
class ModelContext:
    """The inputs of one ``kops update cluster`` (or ``delete cluster``) run."""

    cluster_name: str
    #: The completed cluster (:class:`kops.api.Cluster`), as stored in ``cluster-completed.spec``.
    cluster: Any
    #: The instance groups (:class:`kops.api.InstanceGroup`), sorted by name.
    instance_groups: list[Any]
    #: The cloud driver (:class:`kops.cloud.CloudProvider`).
    cloud: Any
    #: The state store's URL (``s3://bucket/prefix``); ``configBase`` is this plus the cluster name.
    state_url: str
    #: The ID the state store gave the cluster (:mod:`kops.ownership`): every resource the cluster owns carries it.
    store_id: str | None = None
    #: ``direct``, ``dryrun`` or ``terraform``: builders may choose data sources over lookups for Terraform.
    target: str = "dryrun"
    #: Networking (and other) plugins' traffic needs (:class:`kops.networking.FirewallRule`).
    firewall_rules: list[Any] = field(default_factory=list)
    #: The admin SSH public keys, by fingerprint.
    ssh_public_keys: dict[str, str] = field(default_factory=dict)
    #: Instance group name -> the user data its instances boot with.
    user_data: dict[str, str] = field(default_factory=dict)
    #: Files nodes read at boot; a cloud whose state store it owns (``s3://`` on AWS) may render them as
    #: storage objects in Terraform.
    bootstrap_files: list[BootstrapFile] = field(default_factory=list)
    #: The cluster's stored secrets (:class:`kops.addons.ClusterSecrets`) as add-on hooks read them; None reads none.
    secrets: Any = None
    #: The API load balancer's addresses, for a cluster reached at them rather than at a DNS name (``dns: none``):
    #: the API server's certificate names them (:meth:`kops.cloud.CloudProvider.api_addresses`). Empty otherwise,
    #: or while the load balancer does not exist yet.
    api_addresses: list[str] = field(default_factory=list)

    _tasks: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    #: Task key -> the instance group a task exists for (:meth:`of_group`), so an update can be limited to groups.
    group_of: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    @property
    def config_base(self) -> str:
        return self.state_url.rstrip("/") + "/" + self.cluster_name

    # --- facts -------------------------------------------------------------------------------------

    @property
    def subnets(self) -> list[Any]:
        """The cluster's subnet specs (``spec.subnets``) in spec order."""
        return list(self.cluster.spec.subnets or [])

    @property
    def zones(self) -> list[str]:
        """Every zone a subnet is in, sorted."""
        return sorted({s.zone for s in self.subnets if s.zone})

    @property
    def region(self) -> str:
        """The cluster's region, as its cloud computes it (:meth:`kops.cloud.CloudProvider.region`)."""
        return str(self.cloud.region(self.cluster))

    def groups_with_role(self, *roles: str) -> list[Any]:
        return [g for g in self.instance_groups if role_of(g) in roles]

    @property
    def control_plane_groups(self) -> list[Any]:
        return self.groups_with_role(CONTROL_PLANE)

    @property
    def node_groups(self) -> list[Any]:
        return self.groups_with_role(NODE)

    def node_labels(self, group: Any) -> dict[str, str]:
        """The labels of the group's nodes (see :func:`node_labels`)."""
        return node_labels(self.cluster.to_dict()["spec"], group.to_dict())

    def autoscaler_tags(self, group: Any) -> dict[str, str]:
        """The cluster autoscaler's tags for the group (see :func:`autoscaler_tags`)."""
        return autoscaler_tags(self.cluster.to_dict()["spec"], group.to_dict(), self.cluster_name)

    # --- the tasks built so far this run -----------------------------------------------------------

    def add(self, tasks: Iterable[Any]) -> None:
        """Record built tasks so later builders can find them; a second task with the same key is an error."""
        for task in tasks:
            if self._tasks.get(task.task_key, task) is not task:
                raise KopsError(f"two model builders made {task}")
            self._tasks[task.task_key] = task

    def of_group(self, group: Any, tasks: list[Any]) -> list[Any]:
        """Mark ``tasks`` as existing for ``group`` alone (its launch configuration, its pool of machines): an
        update limited to other groups (``--instance-group``) leaves them alone. Returns them."""
        for task in tasks:
            self.group_of[task.task_key] = group.metadata.name
        return tasks

    def find(self, type_name: str, name: str) -> Any | None:
        """The task of that type and name built so far, or None."""
        return self._tasks.get((type_name, name))

    def get(self, type_name: str, name: str) -> Any:
        """Like :meth:`find`, but a missing task is an error naming it (a builder ran out of order)."""
        task = self.find(type_name, name)
        if task is None:
            raise KopsError(f"no model builder has made {type_name}/{name} yet; is the builder that makes it run "
                            "before the one asking for it?")
        return task

    @property
    def tasks(self) -> list[Any]:
        """Every task built so far, in the order they were added."""
        return list(self._tasks.values())
