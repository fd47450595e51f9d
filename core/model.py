"""What model builders are given: the completed cluster and everything decided before any cloud call.

A model builder (returned by the ``kops_model_builders`` hook) turns this into tasks: ``build(model)``
returns a list of :class:`kops.engine.Task`. Builders never parse flags and never call a cloud API;
they read the completed spec and the facts collected here, so the same builders serve the dry run,
the direct apply and Terraform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BootstrapFile:
    """A file nodes read at boot from the state store (nodeup configs, add-on manifests, the completed spec)."""

    #: Path relative to the cluster's folder in the state store (``igconfig/node/nodes/nodeupconfig.yaml``).
    path: str
    content: bytes
    #: Secret material: stored privately and never rendered into plans or Terraform.
    private: bool = False


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

    @property
    def config_base(self) -> str:
        return self.state_url.rstrip("/") + "/" + self.cluster_name

    def groups_with_role(self, *roles: str) -> list[Any]:
        return [g for g in self.instance_groups if g.spec.role in roles]

    @property
    def control_plane_groups(self) -> list[Any]:
        return self.groups_with_role("Master", "ControlPlane")

    @property
    def node_groups(self) -> list[Any]:
        return self.groups_with_role("Node")
