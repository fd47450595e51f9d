"""The vSphere model: the cluster's VM folder, then per instance group its VMs (a
:class:`~kops_vsphere.tasks.virtual_machines.VirtualMachines`), sized by the group's machine type (``4cpu-8gb``) and
``rootVolumeSize``, cloned from its image (the template) into its zone's resource pool; and per etcd member a disk of
its ``volumeSize`` on the cluster's datastore, attached to the VM of the member's control-plane group.

The configured resource pool (``spec.cloudConfig.vSphereResourcePool``) belongs to one compute cluster; a group in
another zone (compute cluster) gets that cluster's root pool (``/<datacenter>/host/<zone>/Resources``).
"""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.model import ModelContext, role_of
from kops.ownership import STORE_TAG

from kops_vsphere.cloud import MACHINE_TYPE
from kops_vsphere.labels import CLUSTER, INSTANCE_GROUP
from kops_vsphere.tasks.etcd_disk import EtcdDisk, etcd_directory
from kops_vsphere.tasks.etcd_disk_attachment import EtcdDiskAttachment
from kops_vsphere.tasks.folder import Folder
from kops_vsphere.tasks.virtual_machines import VirtualMachines, shape_hash

#: An etcd member's disk size (GiB) when the spec names none, as upstream.
DEFAULT_ETCD_SIZE = 20


def ownership(model: ModelContext, **extra: str) -> dict[str, str]:
    attributes = {CLUSTER: model.cluster_name, **extra}
    if model.store_id:
        attributes[STORE_TAG] = model.store_id
    return attributes


def resource_pool(config: Any, zone: str) -> str:
    """The pool a zone's VMs go to: the configured one when it is in that compute cluster, else the cluster's root."""
    datacenter = config.vSphereDatacenter
    configured = (config.vSphereResourcePool or "").strip("/")
    own = f"{datacenter}/host/{zone}"
    if configured == own or configured.startswith(own + "/"):
        return configured
    return f"{own}/Resources"


class FolderBuilder:
    def build(self, model: ModelContext) -> list[Folder]:
        return [Folder(name=model.cluster_name, attributes=ownership(model))]


class VirtualMachinesBuilder:
    def build(self, model: ModelContext) -> list[VirtualMachines]:
        folder = model.get("Folder", model.cluster_name)
        config = model.cluster.spec.cloudConfig
        zones = {s.name: s.zone for s in model.subnets}
        out = []
        for group in model.instance_groups:
            name = group.metadata.name
            group_zones = [zones[s] for s in group.spec.subnets or [] if s in zones]
            size = MACHINE_TYPE.match(group.spec.machineType or "")
            if not group_zones or size is None:
                raise KopsError(f"InstanceGroup/{name}: spec.subnets and spec.machineType must name a zone and a "
                                "VM size")
            task = VirtualMachines(
                name=f"{name}.{model.cluster_name}", folder=folder, group=name, role=role_of(group),
                zone=group_zones[0], template=group.spec.image, resource_pool=resource_pool(config, group_zones[0]),
                datastore=config.vSphereDatastore, network=model.cluster.spec.networkID or "",
                cpus=int(size["cpus"]), memory_mb=int(size["memory"]) * 1024, disk_gb=group.spec.rootVolumeSize or 0,
                count=group.spec.minSize if group.spec.minSize is not None else 1,
                user_data=model.user_data.get(name, ""), attributes=ownership(model, **{INSTANCE_GROUP: name}))
            task.spec_hash = shape_hash(task.shape)
            out.append(task)
        return out


class EtcdDiskBuilder:
    """A disk per etcd member (upstream's default size, 20 GiB, unless ``volumeSize`` says), and its attachment."""

    def build(self, model: ModelContext) -> list[EtcdDisk | EtcdDiskAttachment]:
        datastore = model.cluster.spec.cloudConfig.vSphereDatastore
        groups = {g.metadata.name for g in model.instance_groups}
        out: list[EtcdDisk | EtcdDiskAttachment] = []
        for etcd in model.cluster.spec.etcdClusters or []:
            for member in etcd.etcdMembers or []:
                group = member.instanceGroup or ""
                if group not in groups:
                    raise KopsError(f"Cluster/{model.cluster_name}: spec.etcdClusters[{etcd.name}].etcdMembers"
                                    f"[{member.name}].instanceGroup: the cluster has no instance group {group!r}")
                name = f"{member.name}.etcd-{etcd.name}.{model.cluster_name}"
                path = f"{etcd_directory(datastore, model.cluster_name)}/{etcd.name}-{member.name}.vmdk"
                disk = EtcdDisk(name=name, datastore=datastore, size_gb=member.volumeSize or DEFAULT_ETCD_SIZE, id=path)
                volume = model.cloud.etcd_volumes(model.cluster, etcd.name).node_disks + member.name
                out += [disk, EtcdDiskAttachment(name=name, disk=disk, group=group, volume=volume,
                                                 vms=model.get("VirtualMachines", f"{group}.{model.cluster_name}"))]
        return out


BUILDERS = [FolderBuilder(), VirtualMachinesBuilder(), EtcdDiskBuilder()]
