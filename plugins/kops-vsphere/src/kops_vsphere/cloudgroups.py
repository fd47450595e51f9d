"""A running cluster on vSphere, for ``kops get instances``, rolling updates and ``kops delete instance``: each
instance group's VMs, listed by the attributes kops gave them.

A VM is up to date when the hash it was made from is the one its group's folder keeps now (see
:mod:`kops_vsphere.tasks.virtual_machines`). Deleting a VM leaves its group short, and the next apply (which a
rolling update runs after each wave) makes a new one; detaching one moves it out of its group's folder into the
cluster's, where it stays, still the cluster's, listed as detached until it is deleted.
"""

from __future__ import annotations

import json
from typing import Any

from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.model import role_of

from kops_vsphere.api import Listed, VSphereAPI
from kops_vsphere.clone import destroy
from kops_vsphere.labels import INSTANCE_GROUP, SPEC


def cloud_groups(api: VSphereAPI, cluster: Any, instance_groups: list[Any]) -> list[CloudInstanceGroup]:
    name = cluster.metadata.name
    folders = api.list_owned("Folder", name)
    group_folders = {f.attributes[INSTANCE_GROUP]: f for f in folders if INSTANCE_GROUP in f.attributes}
    cluster_folder = next((f for f in folders if INSTANCE_GROUP not in f.attributes), None)
    vms = api.list_owned("VirtualMachine", name)
    out = []
    for group in instance_groups:
        folder = group_folders.get(group.metadata.name)
        kept = json.loads(folder.attributes.get(SPEC) or "{}") if folder else {}
        instances = []
        for vm in vms:
            if vm.attributes.get(INSTANCE_GROUP) != group.metadata.name:
                continue
            parent = vm.props["parent"]._moId
            if folder is not None and parent == folder.id:
                fresh = vm.attributes.get(SPEC) == kept.get("hash")
                instances.append(_instance(api, group, vm, kept, UP_TO_DATE if fresh else NEEDS_UPDATE))
            elif cluster_folder is not None and parent == cluster_folder.id:
                instances.append(_instance(api, group, vm, kept, NEEDS_UPDATE, detached=True))
        size = group.spec.minSize if group.spec.minSize is not None else 1
        out.append(CloudInstanceGroup(instance_group=group, min_size=size,
                                      max_size=group.spec.maxSize if group.spec.maxSize is not None else size,
                                      target_size=size, instances=instances))
    return out


def _instance(api: VSphereAPI, group: Any, vm: Listed, kept: dict[str, Any], status: str, detached: bool = False,
              ) -> CloudInstance:
    memory = int(vm.props.get("config.hardware.memoryMB") or 0) // 1024
    bios_uuid = vm.props.get("config.uuid") or ""
    return CloudInstance(
        id=vm.props.get("config.instanceUuid") or vm.id, instance_group=group.metadata.name, role=role_of(group),
        state=str(vm.props.get("runtime.powerState") or ""), status=status,
        machine_type=f"{vm.props.get('config.hardware.numCPU') or 0}cpu-{memory}gb",
        internal_ip=vm.props.get("guest.ipAddress") or "", zone=kept.get("zone") or "",
        provider_id=f"vsphere://{bios_uuid}" if bios_uuid else "", detached=detached, handle=(api, vm))


def delete_instance(instance: CloudInstance) -> None:
    """Power the VM off and destroy it; the next apply makes its group whole again."""
    api, vm = instance.handle
    destroy(api, vm.obj)


def detach_instance(instance: CloudInstance) -> None:
    """Move the VM, running, from its group's folder into the cluster's, so the group counts it no more."""
    api, vm = instance.handle
    cluster_folder = vm.props["parent"].parent
    api.wait(cluster_folder.MoveIntoFolder_Task([vm.obj]))
