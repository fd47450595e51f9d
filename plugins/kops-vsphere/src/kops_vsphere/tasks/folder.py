"""Folder: the cluster's VM folder (``<datacenter>/vm/<cluster>``), which holds a folder per instance group.

Deleting the cluster deletes it last, once its groups' folders and VMs are gone (a folder is destroyed with what it
holds, so kops never destroys one that still holds anything: it would take a user's VM moved into it along).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.errors import KopsError

from kops_vsphere.api import Listed, VSphereAPI
from kops_vsphere.discovery import DISCOVERY
from kops_vsphere.labels import INSTANCE_GROUP
from kops_vsphere.tasks import VSphereTask


class Folder(VSphereTask):
    attributes: dict[str, str] | None = None
    id: str | None = None

    output_fields = {"id"}

    def find(self, ctx: Context) -> Folder | None:
        raw = ctx.snapshot.first("folders", lambda r: _is_cluster_folder(r) and (r.id == self.id or r.name == self.name))
        if raw is None:
            return None
        return Folder(name=self.name, lifecycle=self.lifecycle, attributes=raw.attributes, id=raw.id)

    def render_direct(self, ctx: Context, actual: Folder | None, changes: Changes) -> None:
        api: VSphereAPI = ctx.cloud
        if actual is None:
            parent = api.datacenter.vmFolder
            folder = api.find(f"{api.datacenter_name}/vm/{self.name}")
            if folder is not None:
                raise KopsError(f"vSphere: a folder {self.name!r} the cluster does not own is already in "
                                f"{api.datacenter_name}/vm: rename or remove it")
            folder = parent.CreateFolder(self.name)
        else:
            folder = managed_folder(api, self.id)
        api.set_attributes(folder, self.attributes or {})
        self.id = folder._moId

    def delete_direct(self, ctx: Context) -> None:
        destroy_empty_folder(ctx.cloud, self.id)


def _is_cluster_folder(raw: Listed) -> bool:
    return INSTANCE_GROUP not in raw.attributes


def managed_folder(api: VSphereAPI, moid: str | None) -> Any:
    from pyVmomi import vim

    return vim.Folder(moid, api.si._stub)


def destroy_empty_folder(api: VSphereAPI, moid: str | None) -> None:
    """Destroy the folder if it holds nothing; refuse, naming what it holds, otherwise."""
    from pyVmomi import vmodl

    folder = managed_folder(api, moid)
    try:
        left = [child.name for child in folder.childEntity]
    except vmodl.fault.ManagedObjectNotFound:
        return  # already gone: what deleting wanted
    if left:
        raise KopsError(f"vSphere: folder {folder.name!r} still holds {', '.join(sorted(left))}, which the cluster "
                        "does not own: move them out, then delete the cluster again")
    api.wait(folder.Destroy_Task())


@DISCOVERY.register("folders")
def list_folders(api: VSphereAPI, cluster_name: str) -> list[Listed]:
    return api.list_owned("Folder", cluster_name)


@DISCOVERY.register_deletions("folders")
def delete_folders(snapshot: Snapshot, cluster_name: str) -> list[Folder]:
    return [Folder(name=r.name, id=r.id) for r in snapshot.get("folders") if _is_cluster_folder(r)]
