"""EtcdDisk: one etcd member's data disk, a virtual disk file of its own on the cluster's datastore
(``[<datastore>] <cluster>/etcd/<etcd>-<member>.vmdk``), attached to its control-plane VM by
:class:`~kops_vsphere.tasks.etcd_disk_attachment.EtcdDiskAttachment`.

A disk file carries no custom attributes: the cluster owns the disks in its own ``<cluster>/etcd`` directory of a
datastore, and nothing else there is listed or deleted. The disk outlives its VM, as upstream's etcd volumes do:
destroying a VM detaches these disks first (:func:`kops_vsphere.clone.destroy`), and the replacement VM gets them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.errors import KopsError

from kops_vsphere.api import VSphereAPI
from kops_vsphere.discovery import DISCOVERY
from kops_vsphere.tasks import VSphereTask

KB_PER_GB = 1024 * 1024


def etcd_directory(datastore: str, cluster_name: str) -> str:
    """The datastore directory holding a cluster's etcd disks."""
    return f"[{datastore}] {cluster_name}/etcd"


def is_etcd_disk(path: str, cluster_name: str) -> bool:
    """Whether a disk file (``[ds] dir/file.vmdk``) is one of the cluster's etcd disks."""
    return f"] {cluster_name}/etcd/" in path


@dataclass(frozen=True)
class DiskFile:
    """A cluster's etcd disk as listed: its datastore path, its size when the datastore reports it, and its UUID."""

    path: str
    capacity_kb: int | None
    uuid: str | None = None

    @property
    def name(self) -> str:
        return self.path


class EtcdDisk(VSphereTask):
    datastore: str | None = None
    size_gb: int | None = None
    #: Its datastore path, known before it exists (it is named after the member).
    id: str | None = None

    immutable_fields = {"datastore"}

    def find(self, ctx: Context) -> EtcdDisk | None:
        raw = ctx.snapshot.first("etcd_disks", lambda r: r.path == self.id)
        if raw is None:
            return None
        # A vCenter's datastore browser reports a disk's size; where it does not (govmomi's simulator), the VM holding
        # the disk does; a detached disk whose size nobody reports is taken to have the size kops gave it.
        size = (raw.capacity_kb // KB_PER_GB if raw.capacity_kb else attached_size_gb(ctx.snapshot, self.id)
                or self.size_gb)
        return EtcdDisk(name=self.name, lifecycle=self.lifecycle, datastore=self.datastore, size_gb=size, id=raw.path)

    def render_direct(self, ctx: Context, actual: EtcdDisk | None, changes: Changes) -> None:
        from pyVmomi import vim

        api: VSphereAPI = ctx.cloud
        manager, datacenter = api.content.virtualDiskManager, api.datacenter
        if actual is None:
            directory = self.id.rsplit("/", 1)[0]
            try:
                api.content.fileManager.MakeDirectory(name=directory, datacenter=datacenter,
                                                      createParentDirectories=True)
            except vim.fault.FileAlreadyExists:
                pass
            spec = vim.VirtualDiskManager.FileBackedVirtualDiskSpec(diskType="thin", adapterType="lsiLogic",
                                                                    capacityKb=(self.size_gb or 0) * KB_PER_GB)
            wait_manager_task(api, manager.CreateVirtualDisk_Task(name=self.id, datacenter=datacenter, spec=spec))
        elif (self.size_gb or 0) > (actual.size_gb or 0):
            wait_manager_task(api, manager.ExtendVirtualDisk_Task(name=self.id, datacenter=datacenter,
                                                                  newCapacityKb=self.size_gb * KB_PER_GB))
        elif (self.size_gb or 0) < (actual.size_gb or 0):
            raise KopsError(f"EtcdDisk/{self.name}: a disk cannot shrink from {actual.size_gb} to {self.size_gb} GiB "
                            "(spec.etcdClusters[].etcdMembers[].volumeSize)")

    def delete_direct(self, ctx: Context) -> None:
        from pyVmomi import vim

        api: VSphereAPI = ctx.cloud
        try:
            wait_manager_task(api, api.content.virtualDiskManager.DeleteVirtualDisk_Task(
                name=self.id, datacenter=api.datacenter))
        except vim.fault.FileNotFound:
            return  # already gone: what deleting wanted


def attached_size_gb(snapshot: Snapshot, path: str | None) -> int | None:
    """The size of the disk as the VM it is attached to has it (for a datastore that reports no disk sizes)."""
    for vm in snapshot.get("vms"):
        for device in vm.props.get("config.hardware.device") or []:
            if getattr(getattr(device, "backing", None), "fileName", None) == path:
                return int(device.capacityInKB) // KB_PER_GB
    return None


def wait_manager_task(api: VSphereAPI, task: Any) -> None:
    """Wait for a disk manager's task, reading its state alone: some servers name the manager as the task's entity,
    which is no managed entity and which pyVmomi refuses to read, so :meth:`VSphereAPI.wait` cannot be used."""
    from pyVmomi import vim, vmodl

    collector = vmodl.query.PropertyCollector
    spec = collector.FilterSpec(objectSet=[collector.ObjectSpec(obj=task)], propSet=[
        collector.PropertySpec(type=vim.Task, pathSet=["info.state", "info.error"])])
    for _ in range(600):
        found = {p.name: p.val for o in api.content.propertyCollector.RetrieveContents([spec]) for p in o.propSet}
        if found.get("info.state") == "success":
            return
        if found.get("info.state") == "error":
            raise found["info.error"]
        time.sleep(0.5)
    raise KopsError("vSphere: a virtual disk task did not finish in five minutes")


@DISCOVERY.register("etcd_disks")
def list_disks(api: VSphereAPI, cluster_name: str) -> list[DiskFile]:
    """The disk files in ``<cluster>/etcd`` of each of the datacenter's datastores."""
    from pyVmomi import vim

    query = vim.host.DatastoreBrowser.VmDiskQuery(details=vim.host.DatastoreBrowser.VmDiskQuery.Details(
        capacityKb=True, diskType=True))
    search = vim.host.DatastoreBrowser.SearchSpec(matchPattern=["*.vmdk"], query=[query])
    found = []
    for datastore in api.datacenter.datastore:
        directory = etcd_directory(datastore.name, cluster_name)
        try:
            result = api.wait(datastore.browser.SearchDatastore_Task(datastorePath=directory, searchSpec=search))
        except vim.fault.FileNotFound:
            continue
        for file in result.file or []:
            if not file.path.endswith("-flat.vmdk"):  # a flat file is a disk's data, listed by some servers
                path = f"{directory}/{file.path}"
                found.append(DiskFile(path, getattr(file, "capacityKb", None), disk_uuid(api, path)))
    return found


def disk_uuid(api: VSphereAPI, path: str) -> str:
    """The UUID of the disk file ``path``, as vCenter gives it (``60 00 C2 9x ...-...``; a guest of a VM with
    ``disk.EnableUUID`` sees it as the disk's WWN)."""
    return str(api.content.virtualDiskManager.QueryVirtualDiskUuid(name=path, datacenter=api.datacenter))


@DISCOVERY.register_deletions("etcd_disks")
def delete_disks(snapshot: Snapshot, cluster_name: str) -> list[EtcdDisk]:
    return [EtcdDisk(name=r.path, id=r.path) for r in snapshot.get("etcd_disks")]
