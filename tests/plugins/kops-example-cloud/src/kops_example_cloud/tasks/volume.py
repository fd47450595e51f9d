"""Volume: a disk in one zone; the model makes one per etcd member, labelled so etcd-manager finds its own.

Neither its zone nor its size may change: it holds etcd's data, so kops never replaces it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_example_cloud.discovery import DISCOVERY, labelled
from kops_example_cloud.labels import owned
from kops_example_cloud.tasks import ExampleTask


class Volume(ExampleTask):
    zone: str | None = None
    size_gb: int | None = None
    labels: dict[str, str] | None = None
    id: str | None = None

    api_kind = "volumes"
    immutable_fields = {"zone", "size_gb"}
    immutable_advice = "it holds etcd's data: restore the member's volumeSize, or move etcd by backup and restore"
    output_fields = {"id"}

    def find(self, ctx: Context) -> Volume | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Volume(name=self.name, lifecycle=self.lifecycle, zone=raw["zone"], size_gb=raw["sizeGb"],
                      labels=raw["labels"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: Volume | None, changes: Changes) -> None:
        if actual is None:
            self.id = ctx.cloud.create("volumes", {"name": self.name, "zone": self.zone, "sizeGb": self.size_gb,
                                                   "labels": self.labels})["id"]
        else:
            ctx.cloud.update("volumes", self.id, {"labels": self.labels})


@DISCOVERY.register("volumes")
def list_volumes(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return labelled(api, "volumes", cluster_name)


@DISCOVERY.register_deletions("volumes")
def delete_volumes(snapshot: Snapshot, cluster_name: str) -> list[Volume]:
    return [Volume(name=r["name"], id=r["id"], zone=r["zone"], size_gb=r["sizeGb"])
            for r in snapshot.get("volumes") if owned(r, cluster_name)]
