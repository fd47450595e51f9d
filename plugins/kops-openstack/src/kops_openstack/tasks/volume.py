"""Volume: a Cinder volume for one etcd member, ``<member>.etcd-<cluster name>.<cluster>`` as upstream, with the
metadata etcd-manager finds and mounts it by (``k8s.io/etcd/<etcd cluster>``: the member and its peers;
``k8s.io/role/control-plane``; ``KubernetesCluster``). Only its metadata changes in place."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY, owns
from kops_openstack.tasks import OpenstackTask


class Volume(OpenstackTask):
    zone: str | None = None
    size_gb: int | None = None
    volume_type: str | None = None
    metadata: dict[str, str] | None = None
    id: str | None = None

    kind = "volumes"
    immutable_fields = {"zone", "volume_type"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> Volume | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        meta = {k: v for k, v in (raw.metadata or {}).items() if k not in ("readonly", "attached_mode")}
        return Volume(name=self.name, lifecycle=self.lifecycle, zone=raw.availability_zone, size_gb=raw.size,
                      volume_type=raw.volume_type if self.volume_type else None, metadata=meta, id=raw.id)

    def render_direct(self, ctx: Context, actual: Volume | None, changes: Changes) -> None:
        storage = ctx.cloud.block_storage
        if actual is None:
            opts: dict[str, Any] = {"name": self.name, "size": self.size_gb, "availability_zone": self.zone,
                                    "metadata": self.metadata or {}}
            if self.volume_type:
                opts["volume_type"] = self.volume_type
            volume = storage.create_volume(**opts)
            self.id = volume.id
            storage.wait_for_status(volume, status="available", failures=["error"], wait=300)
            return
        if "size_gb" in changes:
            storage.extend_volume(self.id, self.size_gb)
        if "metadata" in changes:
            storage.set_volume_metadata(self.id, **(self.metadata or {}))

    def delete_direct(self, ctx: Context) -> None:
        storage = ctx.cloud.block_storage
        volume = storage.find_volume(self.id, ignore_missing=True)
        if volume is not None:
            storage.delete_volume(volume, ignore_missing=True)
            storage.wait_for_delete(volume, wait=300)


@DISCOVERY.register("volumes")
def list_volumes(conn: Any, cluster_name: str) -> list[Any]:
    return [v for v in conn.block_storage.volumes(details=True) if owns(v, cluster_name)]


@DISCOVERY.register_deletions("volumes")
def delete_volumes(snapshot: Snapshot, cluster_name: str) -> list[Volume]:
    return [Volume(name=v.name, id=v.id) for v in snapshot.get("volumes") if owns(v, cluster_name)]
