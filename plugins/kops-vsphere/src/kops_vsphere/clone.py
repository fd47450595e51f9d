"""Making one VM of an instance group: a clone of the group's template in its zone's resource pool, sized as the
group says, with the user data core wrote for the group in its guest info, marked as the cluster's, powered on.

The user data reaches cloud-init through its VMware datasource (``guestinfo.userdata``, base64); upstream attached a
cloud-init ISO instead. Guest info is readable from inside the guest and by the vCenter's API: the user data holds
nothing secret (nodes fetch their credentials from the node credential service), and the one secret kops puts there
is the VM's own machine key (:data:`kops_vsphere.identity.KEY_OPTION`), with which it proves who it is to that
service. The key is made here, for each clone, and kept nowhere else: no plan, hash or state store holds it.
VMs are made with ``disk.EnableUUID``, so their guests see each disk's UUID (and find their etcd disks by it).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from kops.nodeup import machinekey

from kops_vsphere.api import VSphereAPI
from kops_vsphere.identity import KEY_OPTION
from kops_vsphere.tasks.etcd_disk import is_etcd_disk


@dataclass(frozen=True)
class Shape:
    """What a group's VMs are made from; its hash, kept on each VM, says whether a VM is up to date."""

    template: str
    resource_pool: str
    datastore: str
    network: str
    cpus: int
    memory_mb: int
    disk_gb: int
    user_data: str


def clone(api: VSphereAPI, shape: Shape, folder: Any, name: str, attributes: dict[str, str]) -> Any:
    """Clone, size, mark and power on one VM in ``folder``; the VM."""
    from pyVmomi import vim

    dc = api.datacenter_name
    template = api.require(f"{dc}/vm/{shape.template}", "VM template (spec.image)")
    pool = api.require(shape.resource_pool, "resource pool")
    if not isinstance(pool, vim.ResourcePool):  # a compute cluster or host: its root pool
        pool = pool.resourcePool
    datastore = api.require(f"{dc}/datastore/{shape.datastore}", "datastore (spec.cloudConfig.vSphereDatastore)")
    metadata = json.dumps({"instance-id": name, "local-hostname": name.split(".")[0]})
    extra = [vim.option.OptionValue(key=k, value=v) for k, v in (
        ("guestinfo.metadata", _b64(metadata)), ("guestinfo.metadata.encoding", "base64"),
        ("guestinfo.userdata", _b64(shape.user_data)), ("guestinfo.userdata.encoding", "base64"),
        (KEY_OPTION, machinekey.new_key()), ("disk.EnableUUID", "TRUE"))]
    config = vim.vm.ConfigSpec(numCPUs=shape.cpus, memoryMB=shape.memory_mb, extraConfig=extra)
    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(pool=pool, datastore=datastore), powerOn=False,
                            template=False, config=config)
    vm = api.wait(template.CloneVM_Task(folder=folder, name=name, spec=spec))
    api.set_attributes(vm, attributes)
    # Some vCenters (and govmomi's simulator) keep the template's size through a clone: set it again, with the disk
    # and the network, which need the clone's own devices.
    api.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=shape.cpus, memoryMB=shape.memory_mb,
                                                  deviceChange=_device_changes(api, vm, shape))))
    if vm.runtime.powerState != vim.VirtualMachine.PowerState.poweredOn:
        api.wait(vm.PowerOnVM_Task())
    return vm


def _device_changes(api: VSphereAPI, vm: Any, shape: Shape) -> list[Any]:
    """The boot disk grown to the group's root volume size, and the first NIC moved to the cluster's network."""
    from pyVmomi import vim

    changes = []
    devices = vm.config.hardware.device
    disks = [d for d in devices if isinstance(d, vim.vm.device.VirtualDisk)]
    if disks and shape.disk_gb and disks[0].capacityInKB < shape.disk_gb * 1024 * 1024:
        disks[0].capacityInKB = shape.disk_gb * 1024 * 1024
        changes.append(vim.vm.device.VirtualDeviceSpec(operation="edit", device=disks[0]))
    nics = [d for d in devices if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    if nics and shape.network:
        network = api.require(f"{api.datacenter_name}/network/{shape.network}", "network (spec.networkID)")
        nics[0].backing = vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(network=network,
                                                                               deviceName=shape.network)
        changes.append(vim.vm.device.VirtualDeviceSpec(operation="edit", device=nics[0]))
    return changes


def destroy(api: VSphereAPI, vm: Any) -> None:
    """Power the VM off and destroy it with its own disks; the cluster's etcd disks are detached first and kept."""
    from pyVmomi import vim, vmodl

    try:
        if vm.runtime.powerState == vim.VirtualMachine.PowerState.poweredOn:
            api.wait(vm.PowerOffVM_Task())
        cluster_name = vm.name.split(".", 1)[-1]
        kept = [vim.vm.device.VirtualDeviceSpec(operation="remove", device=d) for d in vm.config.hardware.device
                if isinstance(d, vim.vm.device.VirtualDisk) and is_etcd_disk(getattr(d.backing, "fileName", ""),
                                                                             cluster_name)]
        if kept:
            api.wait(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=kept)))
        api.wait(vm.Destroy_Task())
    except vmodl.fault.ManagedObjectNotFound:
        return  # already gone: what deleting wanted


def managed_vm(api: VSphereAPI, moid: str) -> Any:
    from pyVmomi import vim

    return vim.VirtualMachine(moid, api.si._stub)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
