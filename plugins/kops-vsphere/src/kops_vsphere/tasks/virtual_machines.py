"""VirtualMachines: an instance group's VMs, in a folder of the group's inside the cluster's folder.

vSphere has no autoscaling group, so kops keeps each group's size itself: applying makes the VMs missing up to the
group's ``minSize`` (clones, :mod:`kops_vsphere.clone`) and destroys surplus ones, outdated ones first. The group's
folder keeps the configuration the group makes VMs from now (``kops.k8s.io/spec``: the fields below and their
hash), and each VM the hash it was made from: a VM whose hash differs needs replacing, which is a rolling update's
job, so changing the configuration replaces no VM by itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets

from kops.engine import Changes, Context, Snapshot

from kops_vsphere.api import Listed, VSphereAPI
from kops_vsphere.clone import Shape, clone, destroy
from kops_vsphere.discovery import DISCOVERY
from kops_vsphere.labels import INSTANCE_GROUP, ROLE, SPEC
from kops_vsphere.tasks import VSphereTask
from kops_vsphere.tasks.folder import Folder, destroy_empty_folder, managed_folder

#: The fields of a group's configuration, as kept on its folder.
SHAPE_FIELDS = ("template", "resource_pool", "datastore", "network", "cpus", "memory_mb", "disk_gb")


def shape_hash(shape: Shape) -> str:
    """The hash of everything a VM is made from (its user data too, which names the nodeup configuration's)."""
    return hashlib.sha256(json.dumps(dataclasses.asdict(shape), sort_keys=True).encode()).hexdigest()[:16]


class VirtualMachines(VSphereTask):
    folder: Folder | None = None
    group: str | None = None
    role: str | None = None
    zone: str | None = None
    template: str | None = None
    resource_pool: str | None = None
    datastore: str | None = None
    network: str | None = None
    cpus: int | None = None
    memory_mb: int | None = None
    disk_gb: int | None = None
    count: int | None = None
    spec_hash: str | None = None
    user_data: str | None = None
    #: The group folder's attributes (ownership); its VMs get these with their role and hash.
    attributes: dict[str, str] | None = None
    id: str | None = None

    ignored_fields = {"user_data", "role"}
    output_fields = {"id"}

    @property
    def shape(self) -> Shape:
        return Shape(**{f: getattr(self, f) or ("" if f in ("template", "resource_pool", "datastore", "network")
                                                    else 0) for f in SHAPE_FIELDS}, user_data=self.user_data or "")

    def find(self, ctx: Context) -> VirtualMachines | None:
        raw = ctx.snapshot.first("folders", lambda r: r.attributes.get(INSTANCE_GROUP) == self.group
                                 and (r.id == self.id or r.name == self.group))
        if raw is None:
            return None
        kept = json.loads(raw.attributes.get(SPEC) or "{}")
        return VirtualMachines(name=self.name, lifecycle=self.lifecycle, folder=self.folder, group=self.group,
                               zone=kept.get("zone"), **{f: kept.get(f) for f in SHAPE_FIELDS},
                               count=len(group_vms(ctx.snapshot, raw.id)), spec_hash=kept.get("hash"),
                               attributes={k: v for k, v in raw.attributes.items() if k != SPEC}, id=raw.id)

    def render_direct(self, ctx: Context, actual: VirtualMachines | None, changes: Changes) -> None:
        api: VSphereAPI = ctx.cloud
        kept = {"zone": self.zone, **{f: getattr(self, f) for f in SHAPE_FIELDS}, "hash": self.spec_hash}
        attributes = {**(self.attributes or {}), SPEC: json.dumps(kept, sort_keys=True)}
        if actual is None:
            folder = managed_folder(api, self.folder.id if self.folder else None).CreateFolder(self.group)
            self.id = folder._moId
        else:
            folder = managed_folder(api, self.id)
        api.set_attributes(folder, attributes)
        existing = [] if actual is None else group_vms(ctx.snapshot, self.id)
        vm_attributes = {**(self.attributes or {}), ROLE: self.role or "", SPEC: self.spec_hash or ""}
        for _ in range((self.count or 0) - len(existing)):
            clone(api, self.shape, folder, f"{self.group}-{secrets.token_hex(3)}.{ctx.cluster_name}", vm_attributes)
        surplus = sorted(existing, key=lambda r: r.attributes.get(SPEC) == self.spec_hash)
        for raw in surplus[:max(0, len(existing) - (self.count or 0))]:
            destroy(api, raw.obj)

    def delete_direct(self, ctx: Context) -> None:
        destroy_empty_folder(ctx.cloud, self.id)


def group_vms(snapshot: Snapshot, folder_id: str | None) -> list[Listed]:
    """The VMs in a group's folder (a VM detached from its group is moved out of it)."""
    return [r for r in snapshot.get("vms") if r.props["parent"]._moId == folder_id]


@DISCOVERY.register_deletions("groups")
def delete_groups(snapshot: Snapshot, cluster_name: str) -> list[VirtualMachines]:
    """A group's folder goes once its VMs (:mod:`kops_vsphere.tasks.virtual_machine`) are gone."""
    return [VirtualMachines(name=r.name, group=r.attributes[INSTANCE_GROUP], id=r.id,
                            folder=Folder(name=r.props["parent"]._moId, id=r.props["parent"]._moId))
            for r in snapshot.get("folders") if INSTANCE_GROUP in r.attributes]

