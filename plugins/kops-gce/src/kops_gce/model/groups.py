"""Each instance group's instance template and its managed instance groups (one per zone), as upstream's
``AutoscalingGroupModelBuilder`` makes them.

The template: the group's machine type and image; a boot disk of ``rootVolumeSize`` (64 GiB on the control plane,
32 on bastions, 128 otherwise) and ``rootVolumeType`` (``pd-standard``); one interface on the group's subnet, public
when the subnet is (or the group is a bastion, or ``associatePublicIp`` says so); the role's service account with
upstream's scopes (storage read-write on a control plane writing etcd backups); the role's network tag (the control
plane also the legacy ``master`` one), which the firewall rules select; the ownership and role labels; and the
metadata a machine boots with: the user data, the cluster's and the group's names, the admin's SSH keys (for the
image's user), and, for nodes, what the cluster autoscaler reads.

The groups are in no target pool unless the API load balancer's builder, which runs next, puts the control plane's
in its own (so a cluster that no longer has one takes them out). The groups share the instance group's ``minSize`` (1, or 2 for nodes, when unset) over its zones, earlier zones
taking the remainder, and are named ``<zone letter>-<group>-<cluster>``.
"""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.model import API_SERVER, BASTION, CONTROL_PLANE, NODE, ModelContext, role_of
from kops.names import truncate

from kops_gce import labels as gce_labels
from kops_gce import names
from kops_gce.model import project
from kops_gce.tasks.instance_group_manager import UPDATE_POLICY, InstanceGroupManager
from kops_gce.tasks.instance_template import NAME_PREFIX_MAX, InstanceTemplate, image_url

#: Upstream's default root disk sizes (GiB) and type.
ROOT_VOLUME_SIZES = {CONTROL_PLANE: 64, API_SERVER: 128, NODE: 128, BASTION: 32}
ROOT_VOLUME_TYPE = "pd-standard"
#: Metadata keys upstream's machines read.
CLUSTER_NAME_KEY = "cluster-name"
INSTANCE_GROUP_KEY = "kops-k8s-io-instance-group-name"
SSH_KEYS_KEY = "ssh-keys"
AUTOSCALER_KEY = "kube-env"
#: The size of the pods' alias range each machine takes, when the spec sets no node CIDR mask.
NODE_CIDR_MASK = 24
#: The user images other than Ubuntu's have the admin's key for.
DEFAULT_SSH_USER = "admin"


def template_name(model: Any, group: Any) -> str:
    """The template's task and Terraform name: ``<group>-<cluster>`` with dots as dashes."""
    return names.object_name(group.metadata.name, model.cluster_name)


def manager_name(cluster_name: str, group_name: str, zone: str) -> str:
    """A group's managed instance group in ``zone``: ``<zone letter>-<group>-<cluster>``, shortened to 63."""
    return truncate(names.object_name(f"{zone.rsplit('-', 1)[-1]}.{group_name}", cluster_name), names.MAX_NAME)


def split_across_zones(count: int, zones: list[str]) -> dict[str, int]:
    """``count`` machines over ``zones`` as evenly as can be, the first zones taking one more."""
    share, extra = divmod(count, len(zones)) if zones else (0, 0)
    return {zone: share + (1 if i < extra else 0) for i, zone in enumerate(zones)}


def group_size(group: Any) -> int:
    if group.spec.minSize is not None:
        return int(group.spec.minSize)
    return 2 if role_of(group) == NODE else 1


def ssh_user(image: str) -> str:
    """The user the SSH keys are for: Ubuntu's images have ``ubuntu`` (their ``admin`` group keeps GCE's agent from
    making an ``admin`` user); others ``admin``."""
    return "ubuntu" if image.rsplit("/", 1)[-1].lower().startswith("ubuntu") else DEFAULT_SSH_USER


def managers_of(model: ModelContext, group: Any) -> list[InstanceGroupManager]:
    """The managed instance groups this module's builder made for ``group``, in its zones' order."""
    found = [model.find("InstanceGroupManager", manager_name(model.cluster_name, group.metadata.name, zone))
             for zone in group.spec.zones or []]
    return [m for m in found if m is not None]


def _network_of(model: Any) -> Any:
    from kops_gce.model.network import network_of

    return network_of(model)


def _subnetwork_of(model: Any, subnet_name: str) -> Any:
    from kops_gce.model.network import subnetwork_of

    return subnetwork_of(model, subnet_name)


def _account_of(model: Any, group: Any) -> Any:
    from kops_gce.model.service_accounts import account_of

    return account_of(model, group)


class InstanceGroupsBuilder:
    def build(self, model: ModelContext) -> list[Any]:
        tasks: list[Any] = []
        for group in model.instance_groups:
            template = self.template(model, group)
            managers = [
                InstanceGroupManager(
                    name=manager_name(model.cluster_name, group.metadata.name, zone), zone=zone,
                    base_instance_name=group.metadata.name, instance_template=template, target_size=size,
                    update_policy=dict(UPDATE_POLICY), list_managed_instances_results="PAGINATED",
                    target_pools=[], description=gce_labels.owner_description(model))
                for zone, size in split_across_zones(group_size(group), self.zones(group)).items()]
            tasks += model.of_group(group, [template, *managers])
        return tasks

    @staticmethod
    def zones(group: Any) -> list[str]:
        zones = list(group.spec.zones or [])
        if not zones:
            raise KopsError(f"InstanceGroup/{group.metadata.name}: spec.zones: GCE needs the zones its machines run in")
        return zones

    def template(self, model: ModelContext, group: Any) -> InstanceTemplate:
        spec, cluster = group.spec, model.cluster.spec
        where = f"InstanceGroup/{group.metadata.name}"
        role = role_of(group)
        subnets = list(spec.subnets or [])
        if len(subnets) != 1:
            raise KopsError(f"{where}: spec.subnets: a GCE instance group is in exactly one subnet "
                            f"(it has {len(subnets)})")
        subnet = next((s for s in model.subnets if s.name == subnets[0]), None)
        if subnet is None:
            raise KopsError(f"{where}: spec.subnets: the cluster has no subnet {subnets[0]!r}")
        if not spec.machineType:
            raise KopsError(f"{where}: spec.machineType is required")
        if not spec.image:
            raise KopsError(f"{where}: spec.image is required")
        image_url(project(model), spec.image, f"{where}: spec.image")  # one GCE can name, or a one-line error
        external = subnet.type in ("Public", "Utility") or role == BASTION
        if spec.associatePublicIp is not None:
            external = bool(spec.associatePublicIp)
        name = template_name(model, group)
        aliases = None
        from kops_gce.network import uses_ip_aliases

        if uses_ip_aliases(model.cluster.to_dict()["spec"].get("networking")):
            mask = (cluster.kubeControllerManager.nodeCIDRMaskSize
                    if cluster.kubeControllerManager is not None else None) or NODE_CIDR_MASK
            aliases = {names.suffixed("pods", model.cluster_name): f"/{mask}"}
        spot = spec.gcpProvisioningModel
        return InstanceTemplate(
            name=name, name_prefix=truncate(name, NAME_PREFIX_MAX), description=gce_labels.owner_description(model),
            network=_network_of(model), subnetwork=_subnetwork_of(model, subnet.name),
            machine_type=spec.machineType, image=spec.image,
            boot_disk_type=spec.rootVolumeType or ROOT_VOLUME_TYPE,
            boot_disk_size_gb=spec.rootVolumeSize or ROOT_VOLUME_SIZES.get(role, ROOT_VOLUME_SIZES[NODE]),
            boot_disk_iops=spec.rootVolumeIops or None, boot_disk_throughput=spec.rootVolumeThroughput or None,
            can_ip_forward=aliases is None, external_ip=external,
            stack_type="IPV4_IPV6" if ":" in str(cluster.nonMasqueradeCIDR or "") else "IPV4_ONLY",
            alias_ip_ranges=aliases, service_account=_account_of(model, group), scopes=self.scopes(model, role),
            tags=self.tags(model, role), labels=self.labels(model, group, role),
            metadata=self.metadata(model, group, role), preemptible=spot == "SPOT", provisioning_model=spot,
            guest_accelerators=[{"type": a.acceleratorType, "count": a.acceleratorCount}
                                for a in spec.guestAccelerators or []] or None)

    @staticmethod
    def scopes(model: ModelContext, role: str) -> list[str]:
        scopes = ["compute-rw", "monitoring", "logging-write", "cloud-platform"]
        backups = role == CONTROL_PLANE and any(
            e.backups is not None and e.backups.backupStore for e in model.cluster.spec.etcdClusters or [])
        scopes.append("storage-rw" if backups else "storage-ro")
        if role in (CONTROL_PLANE, API_SERVER):
            scopes.append("https://www.googleapis.com/auth/ndev.clouddns.readwrite")
        return scopes

    @staticmethod
    def tags(model: ModelContext, role: str) -> list[str]:
        tags = [names.role_tag(model.cluster_name, role)]
        if role == CONTROL_PLANE:
            tags.append(names.legacy_master_tag(model.cluster_name))
        return tags

    @staticmethod
    def labels(model: ModelContext, group: Any, role: str) -> dict[str, str]:
        cloud = model.cloud
        extra = {cloud.label_key(k): gce_labels.label_value(str(v)) for k, v in (group.spec.cloudLabels or {}).items()}
        word = names.ROLE_WORDS[role]
        extra[gce_labels.ROLE_LABEL_PREFIX + word] = word
        if role == CONTROL_PLANE:
            extra[gce_labels.ROLE_LABEL_PREFIX + "master"] = "master"
        extra[gce_labels.INSTANCE_GROUP_LABEL] = gce_labels.label_value(group.metadata.name)
        return gce_labels.resource_labels(model, extra)

    @staticmethod
    def metadata(model: ModelContext, group: Any, role: str) -> dict[str, str]:
        spec = group.spec
        config = model.cluster.spec.cloudConfig
        startup = config is not None and bool(config.gceUseStartupScript)
        metadata = {CLUSTER_NAME_KEY: model.cluster_name, INSTANCE_GROUP_KEY: group.metadata.name}
        user_data = model.user_data.get(group.metadata.name)
        if user_data:
            metadata["startup-script" if startup else "user-data"] = user_data
        if role == NODE:
            env = "os_distribution=cos;arch=amd64;os=linux" if str(spec.image).startswith("cos-cloud/") else \
                "os_distribution=ubuntu;arch=amd64;os=linux"
            if spec.nodeLabels:
                env += ";node_labels=" + ",".join(f"{k}={v}" for k, v in sorted(spec.nodeLabels.items()))
            if spec.taints:
                env += ";node_taints=" + ",".join(spec.taints)
            metadata[AUTOSCALER_KEY] = "AUTOSCALER_ENV_VARS: " + env
        keys = [k.strip() for k in model.ssh_public_keys.values() if k and k.strip()]
        if keys:
            user = ssh_user(str(spec.image))
            metadata[SSH_KEYS_KEY] = "\n".join(f"{user}: {k}" for k in keys)
        return metadata


BUILDERS = [InstanceGroupsBuilder()]
