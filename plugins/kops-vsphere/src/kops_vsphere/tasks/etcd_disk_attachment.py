"""EtcdDiskAttachment: an etcd member's disk (:class:`~kops_vsphere.tasks.etcd_disk.EtcdDisk`) attached to the VM of
the member's control-plane group (the group's first VM by name: a control-plane group holding etcd members runs one
VM each, as upstream).

It exists when a VM of the group has the disk among its devices and tells its guest where the disk is: the guest info
option ``guestinfo.kops.etcd-disk.<volume>`` holding the disk's UUID, which the guest sees as the disk's WWN (kops
makes VMs with ``disk.EnableUUID``), so the machine can mount it for etcd-manager (:mod:`kops.nodeup.disks`). After a
rolling update replaced the VM (destroying it detached the disk), the apply that makes the new VM attaches the disk
to it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context
from kops.errors import KopsError

from kops_vsphere.api import VSphereAPI
from kops_vsphere.guestinfo import ETCD_DISK_PREFIX
from kops_vsphere.labels import INSTANCE_GROUP
from kops_vsphere.tasks import VSphereTask
from kops_vsphere.tasks.etcd_disk import KB_PER_GB, EtcdDisk, disk_uuid
from kops_vsphere.tasks.virtual_machines import VirtualMachines


def disk_paths(vm_devices: Any) -> list[str]:
    """The files of a VM's disks."""
    return [getattr(d.backing, "fileName", "") for d in vm_devices or [] if type(d).__name__.endswith("VirtualDisk")]


class EtcdDiskAttachment(VSphereTask):
    disk: EtcdDisk | None = None
    #: The VMs of the member's group (their task: the attachment follows their making).
    vms: VirtualMachines | None = None
    group: str | None = None
    #: The disk's name on the machine (``<cluster>--<etcd>--<member>``): its guest info option and mount point.
    volume: str | None = None
    #: Whether the VM's guest info names the disk's UUID under :attr:`volume` (always wanted).
    advertised: bool = True

    def find(self, ctx: Context) -> EtcdDiskAttachment | None:
        path = self.disk.id if self.disk else None
        for vm in ctx.snapshot.get("vms"):
            devices = vm.props.get("config.hardware.device")
            if vm.attributes.get(INSTANCE_GROUP) == self.group and path in disk_paths(devices):
                options = {o.key: o.value for o in vm.props.get("config.extraConfig") or []}
                listed = ctx.snapshot.first("etcd_disks", lambda r: r.path == path)
                uuid = listed.uuid if listed is not None else None
                return EtcdDiskAttachment(name=self.name, lifecycle=self.lifecycle, disk=self.disk, vms=self.vms,
                                          group=self.group, volume=self.volume,
                                          advertised=bool(uuid) and options.get(self.option) == uuid)
        return None

    @property
    def option(self) -> str:
        return ETCD_DISK_PREFIX + (self.volume or "")

    def render_direct(self, ctx: Context, actual: EtcdDiskAttachment | None, changes: Changes) -> None:
        api: VSphereAPI = ctx.cloud
        vms = sorted((r for r in api.list_owned("VirtualMachine", ctx.cluster_name)
                      if r.attributes.get(INSTANCE_GROUP) == self.group and r.props["parent"]._moId == self.vms.id),
                     key=lambda r: r.name)
        if not vms:
            raise KopsError(f"EtcdDiskAttachment/{self.name}: instance group {self.group} has no VM to attach the "
                            "etcd disk to (is its minSize 0?)")
        with api.devices_lock:
            attach(api, vms[0].obj, self.disk)
            advertise(api, vms[0].obj, self.disk, self.option)


def advertise(api: VSphereAPI, vm: Any, disk: EtcdDisk, option: str) -> None:
    """Set the VM's guest info ``option`` to the UUID of its disk ``disk``."""
    from pyVmomi import vim

    uuid = disk_uuid(api, disk.id or "")
    api.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(extraConfig=[vim.option.OptionValue(key=option, value=uuid)])))


def attach(api: VSphereAPI, vm: Any, disk: EtcdDisk) -> None:
    """Add the disk file to the VM on a free unit of its first SCSI controller, unless it has it already."""
    from pyVmomi import vim

    devices = vm.config.hardware.device
    if disk.id in disk_paths(devices):
        return
    controller = next((d for d in devices if isinstance(d, vim.vm.device.VirtualSCSIController)), None)
    if controller is None:
        raise KopsError(f"vSphere: VM {vm.name} has no SCSI controller to attach etcd disk {disk.id} to")
    used = {d.unitNumber for d in devices if d.controllerKey == controller.key} | {7}  # 7: the controller's own
    unit = next(u for u in range(16) if u not in used)
    device = vim.vm.device.VirtualDisk(
        key=-1, controllerKey=controller.key, unitNumber=unit, capacityInKB=(disk.size_gb or 0) * KB_PER_GB,
        backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName=disk.id, diskMode="persistent"))
    api.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[
        vim.vm.device.VirtualDeviceSpec(operation="add", device=device)])))
