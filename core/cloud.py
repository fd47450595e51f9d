"""What core asks of a cloud provider driver (entry-point group ``kops.cloud``).

A cloud plugin subclasses :class:`CloudProvider` and registers the class under its ``--cloud`` name.
Core only ever calls these methods, so inference and the CLI stay free of cloud SDKs: nothing here
may call a cloud API (``kops create cluster`` works offline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError


@dataclass(frozen=True)
class EtcdVolumes:
    """How etcd-manager finds a member's data volume on a cloud: its ``--volume-*`` flags, and the environment the
    cloud's API needs (``AWS_REGION``)."""

    flags: list[str]
    env: dict[str, str] = field(default_factory=dict)
    #: Where disks carry nothing etcd-manager could find them by: the prefix of the names of the member disks
    #: (``<cluster>--<etcd>--``, a member's name follows) each control-plane machine mounts itself under
    #: ``/mnt/disks`` (:mod:`kops.nodeup.disks`), finding each with :meth:`CloudProvider.etcd_disk_device`.
    node_disks: str | None = None


#: An instance launched from its group's current configuration, or not (a rolling update replaces it).
UP_TO_DATE, NEEDS_UPDATE = "UpToDate", "NeedsUpdate"


@dataclass
class CloudInstance:
    """One machine of a running cluster, as its cloud reports it (see :meth:`CloudProvider.cloud_groups`)."""

    #: The cloud's ID of the machine (``i-0abc...``).
    id: str
    #: The instance group it belongs to (``metadata.name``).
    instance_group: str
    #: The group's role: ``ControlPlane``, ``APIServer``, ``Node`` or ``Bastion``.
    role: str
    #: The cloud's word for its state: ``running``, ``pending``, ``stopped``...
    state: str
    #: :data:`UP_TO_DATE` or :data:`NEEDS_UPDATE`: whether it was launched from the group's current configuration.
    status: str = UP_TO_DATE
    machine_type: str = ""
    internal_ip: str = ""
    #: Its public address, when it has one (a bastion, a node in a public subnet).
    external_ip: str = ""
    zone: str = ""
    #: What a Kubernetes Node of this machine has as ``spec.providerID`` (``aws:///us-east-1a/i-0abc``).
    provider_id: str = ""
    #: The name of the Kubernetes Node of this machine, when the API could be asked and it has registered.
    node_name: str = ""
    #: The Node object itself (as the Kubernetes client gives it), when there is one.
    node: Any = None
    #: Whether it was taken out of its group (so the group replaced it) and is still running.
    detached: bool = False
    #: The driver's own handle for acting on it (:meth:`CloudProvider.delete_instance`); opaque to core.
    handle: Any = None


@dataclass
class CloudInstanceGroup:
    """One instance group of a running cluster: its sizes as the cloud has them, and its machines."""

    #: The :class:`kops.api.InstanceGroup`.
    instance_group: Any
    min_size: int
    max_size: int
    #: How many machines the cloud is asked to keep (an Auto Scaling group's desired capacity).
    target_size: int
    instances: list[CloudInstance] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.instance_group.metadata.name)

    @property
    def needing_update(self) -> list[CloudInstance]:
        return [i for i in self.instances if i.status == NEEDS_UPDATE]


@dataclass(frozen=True)
class NodeIdentity:
    """Who a machine proved to be to the node credential service (:meth:`CloudProvider.verify_node_identity`), or
    which machine a registered Node is (:meth:`CloudProvider.identify_node`)."""

    #: The cloud's ID of the machine (``i-0abc...``).
    instance_id: str
    #: The instance group the cloud says it belongs to (for a bootstrap request: the one it asked for, checked).
    instance_group: str
    #: The Kubernetes Node name its kubelet certificate is issued for (``system:node:<name>``).
    node_name: str
    #: Names and addresses the machine answers to (its private DNS name and IP...), for serving certificates.
    addresses: tuple[str, ...] = ()


class NodeIdentityRefused(KopsError):
    """A machine's identity proof does not hold; the message says why. The service logs it and tells the machine
    only that it was refused, as upstream does, so a prober learns nothing."""


class CloudProvider:
    """Facts about one cloud that inference and validation need, answered offline."""

    #: The ``spec.cloudProvider`` value and ``--cloud`` name.
    name: str = ""
    #: The ``providerID`` of this cloud's images in a release channel.
    channel_provider_id: str = ""
    #: Machine types tried in order when the user names none, per role (``ControlPlane``, ``Node``,
    #: ``Bastion``) and architecture. Upstream asks the cloud which types a region offers; a
    #: preference list answers the same question offline.
    default_machine_types: dict[str, list[str]] = {}
    #: The image a new group gets when neither the flags nor the release channel name one: upstream falls back to
    #: a fixed image on clouds its channels do not list (DigitalOcean's ``ubuntu-24-04-x64``). Empty: none.
    default_image: str = ""
    #: The VPC/network CIDR given to a new cluster that names none (empty: the cloud assigns it).
    default_network_cidr: str = ""
    #: Whether kops carves subnet CIDRs out of the network CIDR (AWS, OpenStack) or the cloud does.
    assigns_subnet_cidrs: bool = False
    #: Whether subnets span a region (GCE) rather than one zone.
    regional_subnets: bool = False
    #: Whether instance groups list their zones (GCE) rather than only their subnets.
    instance_groups_list_zones: bool = False
    #: Whether private topology adds utility subnets for load balancers and NAT (not on GCE).
    utility_subnets: bool = True
    #: Node labels ``kops create instancegroup`` gives every new group on this cloud (besides the group's own).
    instance_group_node_labels: dict[str, str] = {}
    #: Whether etcd volumes are encrypted unless the user says otherwise.
    encrypt_etcd_by_default: bool = False
    #: Whether several machine types for one group become a mixed-instances policy.
    mixed_instances: bool = False
    #: State store URL schemes kept in this cloud (``s3``): ``kops create cluster`` without ``--cloud`` guesses
    #: the cloud from the store, as upstream.
    state_store_schemes: tuple[str, ...] = ()
    #: Whether access lists (``sshAccess``...) may name the cloud's managed prefix lists (``pl-...``).
    supports_prefix_lists: bool = False
    #: Whether clusters may be IPv6 (``--ipv6``): each subnet then gets an IPv6 block of the network's.
    supports_ipv6: bool = False
    #: Whether the cloud can trust the service-account issuer, so pods take on cloud identities of their own
    #: (IAM roles for service accounts): ``--discovery-store`` then turns it on.
    service_account_identities: bool = False
    #: Whether the cloud has load balancers to put in front of the API. Without them (vSphere) a new cluster's API is
    #: reached at the control plane's own addresses (``spec.api.dns``) whatever its DNS type.
    api_load_balancers: bool = True
    #: Whether core chooses between DNS and a load balancer for the API when the user chose neither; a cloud that
    #: decides it itself (OpenStack, by its load balancer service) says no.
    infers_api_access: bool = True
    #: Whether a subnet given by ``id`` may leave out its zone and CIDR, and a network given by ``networkID`` its
    #: CIDR: :meth:`fill_from_cloud` reads them when the cluster is updated, as upstream does on AWS.
    reads_shared_networks: bool = False
    #: Whether every control-plane group's name carries a number, even one per zone (DigitalOcean, upstream).
    numbered_control_plane_groups: bool = False
    #: dns-controller's ``--dns`` provider for this cloud's DNS service; empty when dns-controller has none.
    dns_controller_provider: str = ""
    #: Whether the cloud has zones to spread replicas over (not a bare-metal "cloud").
    has_zones: bool = True
    #: A rolling update's ``maxSurge`` where neither the cluster nor the group sets one: how many new machines a
    #: group launches before old ones go (upstream: 1 on AWS, 0 elsewhere). Surge needs :meth:`detach_instance`.
    default_max_surge: int = 0
    #: Whether the cloud itself launches a machine in place of one deleted or detached from its group (an autoscaling
    #: group, a managed instance group). Where it does not (OpenStack, DigitalOcean, vSphere: kops makes each
    #: group's machines itself), a rolling update applies the cluster after each wave, as upstream does, so the
    #: missing machines are made from the group's current configuration.
    replaces_instances: bool = True
    #: Whether ``kops update cluster --target terraform`` can write this cloud's resources; where it cannot, the
    #: command stops before anything is written.
    writes_terraform: bool = True

    #: Tag (label) key prefixes the cloud keeps for itself (``aws:``); a user's label may not use them.
    reserved_label_prefixes: tuple[str, ...] = ()
    #: Label keys (and key prefixes) with which kops marks ownership on this cloud, where they are not the generic
    #: ones of :mod:`kops.ownership` (GCE's ``k8s-io-cluster-name``): a user's label may not become one of them.
    ownership_label_keys: tuple[str, ...] = ()
    ownership_label_prefixes: tuple[str, ...] = ()

    def label_problems(self, labels: dict[str, str]) -> list[tuple[str, str]]:
        """Why the cloud would refuse some of a user's labels (``spec.cloudLabels``), as ``(key, reason)``; a key
        of ``""`` speaks of the labels as a whole (too many). By default: the ownership tags
        (:func:`kops.ownership.reserved_tag_reason`, :attr:`ownership_label_keys`) and
        :attr:`reserved_label_prefixes`, each checked on the key as the cloud will have it (:meth:`label_key`).
        A cloud adds its limits on length and count."""
        from kops.ownership import reserved_tag_reason

        found = []
        for key in labels:
            reason = reserved_tag_reason(key)
            cloud_key = self.label_key(key)
            if reason is None and (cloud_key in self.ownership_label_keys
                                   or cloud_key.startswith(self.ownership_label_prefixes or ("\0",))):
                reason = f"{key!r} is, as a {self.name} label ({cloud_key}), one that marks ownership; kops sets it"
            if reason is None and key.lower().startswith(self.reserved_label_prefixes or ("\0",)):
                reason = f"the prefix {key.split(':', 1)[0]}: is reserved by {self.name}"
            if reason is not None:
                found.append((key, reason))
        return found

    def machine_type_problem(self, machine_type: str) -> str | None:
        """Why ``machine_type`` cannot name one of this cloud's machine types (its shape, not its existence, which
        only the cloud can tell), or None."""
        return None

    def group_name_for_zone(self, zone: str) -> str:
        """How a zone appears in the names ``kops create cluster`` gives instance groups (``nodes-<zone>``), which are
        Kubernetes object names (lowercase DNS labels). Most clouds' zone names already are; a cloud whose zones may be
        named anything (vSphere's compute clusters) says how it shortens them."""
        return zone

    def label_key(self, key: str) -> str:
        """The key a user's label has on this cloud's resources (GCE lowercases it and replaces what it refuses)."""
        return key

    def region_for_zone(self, zone: str) -> str:
        """The region a zone belongs to; raise :class:`KopsError` naming the zone if it is malformed."""
        raise NotImplementedError

    def region(self, cluster: Any) -> str:
        """The cluster's region, the one place it is computed: where its subnets' zones are (or their region, on
        clouds whose subnets are regional). Validation has made sure every subnet agrees."""
        for subnet in cluster.spec.subnets or []:
            if subnet.zone:
                return self.region_for_zone(subnet.zone)
            if subnet.region:
                return str(subnet.region)
        raise KopsError(f"cluster {cluster.metadata.name}: no subnet names a zone or a region, so its {self.name} "
                        "region is unknown")

    def default_machine_type(self, role: str, region: str, arch: str = "amd64") -> str:
        key = "Bastion" if role == "Bastion" else "ControlPlane" if role in ("Master", "ControlPlane", "APIServer") else "Node"
        choices = self.default_machine_types.get(f"{key}/{arch}") or self.default_machine_types.get(key) or []
        if not choices:
            raise KopsError(f"cloud {self.name}: no default machine type for role {role}; set one with --node-size "
                            f"or --control-plane-size")
        return choices[0]

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes | None:
        """How etcd-manager finds the volumes of etcd cluster ``etcd_name`` of the completed ``cluster`` by the labels
        or tags the cloud's model gives them; None where the cloud does not describe its volumes, and then nodeup
        cannot run etcd on it."""
        return None

    def fill_from_cloud(self, cluster: dict[str, Any]) -> None:
        """Fill in, on the stored Cluster's tree (a copy) before it is completed, what the spec may leave to the
        cloud (see :attr:`reads_shared_networks`): a shared subnet's zone and CIDR, a shared network's CIDR. Raise
        :class:`KopsError` naming the field and the resource the cloud does not have.

        Upstream reads these whenever it completes a spec; here only ``kops update cluster`` (plan and apply) calls
        this, so the commands that work offline (``create``, ``edit``, Terraform output) keep to what is given, and
        the stored spec keeps what the user wrote (the completed one gets the values). By default: nothing."""

    # --- the engine's side: implemented by clouds that can create clusters ----------------------------

    @property
    def creates_resources(self) -> bool:
        """Whether the driver implements the engine's side (:meth:`engine_context` and what follows). A cloud
        whose plugin so far only knows its specs leaves it unimplemented, and ``kops update cluster`` stops at
        once with that method's one-line error rather than part-way through building boot files."""
        return type(self).engine_context is not CloudProvider.engine_context

    def engine_context(self, model: Any) -> Any:
        """The :class:`kops.engine.Context` for one run over ``model`` (a :class:`kops.model.ModelContext`).

        It carries the SDK clients (made lazily), the discovery listers (one listing per resource type,
        filtered by the cluster's ownership tag) and the cloud's rule for transient errors. For the
        ``terraform`` target it must make no cloud call.
        """
        raise KopsError(f"cloud {self.name}: creating cloud resources is not supported yet")

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        """Deletion tasks for every resource the cluster owns (found by its tags), for ``kops delete cluster``.

        Shared resources (a user's VPC or subnets) and untagged ones are never included.
        """
        raise KopsError(f"cloud {self.name}: deleting clusters is not supported yet")

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        """For every resource the cluster owns, the state-store ID it carries (its
        :data:`kops.ownership.STORE_TAG` tag or label; None where it has none), keyed by a label naming the
        resource. Core refuses to touch resources of another store (see :mod:`kops.ownership`)."""
        return {}

    # --- running clusters: what day-2 operations (get instances, validate, rolling update) ask ------------

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None,
                     ) -> list[CloudInstanceGroup]:
        """Every instance group's sizes and machines as the cloud has them, in ``instance_groups`` order (a group the
        cloud has nothing of yet comes with no machines). ``cluster`` is the completed Cluster.

        Each :class:`CloudInstance` says whether it was launched from the group's current configuration (its
        ``status``): everything a machine boots with (image, machine type, user data, which names the nodeup
        configuration's hash) is part of that configuration. Machines taken out of their group and still running
        are listed with ``detached`` set. ``nodes`` are the cluster's Kubernetes Nodes when the API could be
        reached; core matches them to machines by ``provider_id`` itself, so a driver may ignore them.
        """
        raise KopsError(f"cloud {self.name}: listing a cluster's instances is not supported yet")

    def api_endpoint(self, cluster: Any) -> str | None:
        """The DNS name (or address) of the cluster's API load balancer as the cloud reports it, once it exists;
        None without one. Kubeconfigs use it where no DNS record names the API (``dns: none``, gossip)."""
        return None

    def api_addresses(self, cluster: Any) -> list[str]:
        """The API's well-known addresses (IPs and host names) as the cloud reports them once its load balancer
        exists; empty before. A cluster without DNS (``dns: none``) is reached at them, so the API server's
        certificate names them (the nodeup configuration's ``ApiserverAdditionalIPs``, as upstream). By default
        the address :meth:`api_endpoint` answers."""
        endpoint = self.api_endpoint(cluster)
        return [endpoint] if endpoint else []

    def api_address_tasks(self, model: Any) -> list[Any]:
        """The tasks whose resources give the API the addresses :meth:`api_addresses` reports (its load balancer):
        an apply that finds none makes these, with what they depend on, before writing the control plane's
        nodeup configuration. Empty: the cloud has no such resources."""
        return []

    def delete_instance(self, instance: CloudInstance) -> None:
        """Terminate one machine; its group (without being resized) launches a replacement, or, where the cloud does
        not (:attr:`replaces_instances`), the next apply makes one."""
        raise KopsError(f"cloud {self.name}: deleting instances is not supported yet")

    def detach_instance(self, instance: CloudInstance) -> None:
        """Take one machine out of its group without stopping it, so the group launches a replacement first (a
        rolling update's surge); :meth:`delete_instance` ends it later."""
        raise KopsError(f"cloud {self.name}: detaching instances is not supported yet")

    # --- nodes joining: how a machine proves who it is to the node credential service -------------------
    #
    # A worker has no credentials when it boots. ``kops nodeup`` asks the node credential service on the control
    # plane (``kops controller serve``, port 3988) for its kubelet and kube-proxy certificates with upstream's
    # protocol: ``POST /bootstrap`` with a JSON body (``bootstrap.kops.k8s.io/v1alpha1``) and, in the
    # ``Authorization`` header, a proof made by the cloud that binds the body's SHA-256. These run on machines
    # (with :mod:`kops.nodeup`'s pure-Python code only): no SDK, no compiled module. What each cloud would use:
    # AWS a signed STS GetCallerIdentity of the instance role (implemented); GCE the metadata server's identity
    # token for the instance's service account (implemented; upstream uses a TPM-signed claim); OpenStack and
    # DigitalOcean the instance's metadata (its ID and a secret the control plane set), checked against the API;
    # vSphere a per-machine key put in the VM's guest info at creation.

    def node_identity_proof(self, body: bytes) -> str:
        """On a machine of the cluster: the ``Authorization`` header value proving who the machine is, made with its
        own cloud credentials and binding the SHA-256 of ``body`` (the request it goes with), so a proof seen in
        transit cannot carry another request."""
        raise KopsError(f"cloud {self.name}: machines cannot prove who they are to the node credential service yet")

    def etcd_disk_device(self, name: str) -> str | None:
        """On a control-plane machine of a cloud whose :class:`EtcdVolumes` has ``node_disks``: the block device of
        the etcd disk ``name`` (``<cluster>--<etcd>--<member>``) once the cloud has attached it, else None."""
        raise KopsError(f"cloud {self.name}: machines cannot find their etcd disks themselves")

    def verify_node_identity(self, cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str,
                             body: bytes, instance_group: str) -> NodeIdentity:
        """In the node credential service: check a proof made by :meth:`node_identity_proof` for ``body``, asking the
        cloud; return who the machine is. ``cluster`` is the completed Cluster and ``groups`` the instance groups by
        name, as trees; ``instance_group`` is the group the request claims.

        Refuse (:class:`NodeIdentityRefused`, saying why) a proof that is malformed, older than five minutes, made
        for another body, or by credentials that are not those of the cluster's machines; a machine that is
        unknown, not running, not tagged as the cluster's, or not in the group it claims; and a group whose role
        differs from the machine's (a control-plane machine may not ask for a worker's credentials)."""
        raise NodeIdentityRefused(f"cloud {self.name}: the node credential service cannot check this cloud's "
                                  "machines yet")

    def identify_node(self, cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
        """In the node credential service: the machine a registered Kubernetes Node is (by its ``spec.providerID``)
        and its instance group, asked of the cloud; None when it is not a running machine of ``cluster`` (the
        completed Cluster's tree). Labels of the group are applied from this (as upstream's kops-controller)."""
        return None

    #: Facts about the cloud account that boot files may need but no spec field holds (``aws_account_id``,
    #: in a queue URL). A file writes ``${name}`` where one goes: the direct and dry-run targets fill them
    #: in from :meth:`account_facts` before anything is written; Terraform output leaves them for
    #: Terraform to fill in (see :meth:`terraform_stores_boot_files`), so it still makes no cloud call.
    account_fact_names: tuple[str, ...] = ()

    def account_facts(self, ctx: Any) -> dict[str, str]:
        """The values of :attr:`account_fact_names`, asked of the cloud (once per run; never for Terraform)."""
        return {}

    def terraform_stores_boot_files(self, model: Any) -> bool:
        """Whether this cloud's Terraform output writes the boot files itself (filling in account facts), as
        AWS does for an ``s3://`` state store."""
        return False

    def terraform_writer(self, model: Any) -> Any:
        """The Terraform writer for ``--target terraform``, with this cloud's provider block added."""
        from kops.engine.targets.terraform import TerraformWriter

        return TerraformWriter()
