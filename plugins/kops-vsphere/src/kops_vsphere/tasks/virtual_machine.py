"""VirtualMachine: one VM of the cluster. The model never makes one (a group's VMs are its
:class:`~kops_vsphere.tasks.virtual_machines.VirtualMachines`' job): this task lists the cluster's VMs and deletes
each, before the folder that holds it, when the cluster is deleted."""

from __future__ import annotations

from kops.engine import Context, Snapshot

from kops_vsphere.api import Listed, VSphereAPI
from kops_vsphere.clone import destroy, managed_vm
from kops_vsphere.discovery import DISCOVERY
from kops_vsphere.labels import INSTANCE_GROUP
from kops_vsphere.tasks import VSphereTask
from kops_vsphere.tasks.etcd_disk import EtcdDisk, is_etcd_disk
from kops_vsphere.tasks.etcd_disk_attachment import disk_paths
from kops_vsphere.tasks.folder import Folder
from kops_vsphere.tasks.virtual_machines import VirtualMachines


class VirtualMachine(VSphereTask):
    #: The folder holding it: its group's (a VirtualMachines placeholder) or, once detached, the cluster's.
    parent: Folder | VirtualMachines | None = None
    id: str | None = None

    output_fields = {"id"}

    def find(self, ctx: Context) -> VirtualMachine | None:
        raw = ctx.snapshot.first("vms", lambda r: r.id == self.id)
        return None if raw is None else VirtualMachine(name=self.name, parent=self.parent, id=raw.id)

    def delete_direct(self, ctx: Context) -> None:
        api: VSphereAPI = ctx.cloud
        destroy(api, managed_vm(api, self.id))


@DISCOVERY.register("vms")
def list_vms(api: VSphereAPI, cluster_name: str) -> list[Listed]:
    return api.list_owned("VirtualMachine", cluster_name)


@DISCOVERY.register_deletions("vms")
def delete_vms(snapshot: Snapshot, cluster_name: str) -> list[VirtualMachine]:
    group_folders = {r.id for r in snapshot.get("folders") if INSTANCE_GROUP in r.attributes}
    out = []
    for r in snapshot.get("vms"):
        parent_id = r.props["parent"]._moId
        parent = VirtualMachines if parent_id in group_folders else Folder
        # Destroying a VM detaches its etcd disks: it goes before them.
        disks = [EtcdDisk(name=path, id=path) for path in disk_paths(r.props.get("config.hardware.device"))
                 if is_etcd_disk(path, cluster_name)]
        out.append(VirtualMachine(name=r.name, parent=parent(name=parent_id, id=parent_id), id=r.id,
                                  depends_on=disks))
    return out
