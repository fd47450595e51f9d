"""Volume: an etcd member's block-storage volume in the cluster's region, named and tagged as upstream's
(``kops-<member>-etcd-<etcd>-<safe cluster>``; ``KubernetesCluster:<safe>``, ``etcdCluster-<etcd>:<member>``,
``k8s-index:<member>``), so etcd-manager finds and attaches its own. Neither its region nor its size changes: it
holds etcd's data, so kops never replaces it."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY, tagged
from kops_digitalocean.tags import owned
from kops_digitalocean.tasks import DOTask, tag_resources
from kops_digitalocean.tasks.droplet import Droplet


class Volume(DOTask):
    region: str | None = None
    size_gb: int | None = None
    tags: list[str] | None = None
    #: The Droplets it is attached to (deleting it waits for them); set only on deletion tasks.
    attached: list[Droplet] | None = None
    id: str | None = None

    api_kind = "volumes"
    immutable_fields = {"region", "size_gb"}
    immutable_advice = "it holds etcd's data: restore the member's volumeSize, or move etcd by backup and restore"
    ignored_fields = {"attached"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> Volume | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Volume(name=self.name, lifecycle=self.lifecycle, region=raw["region"]["slug"],
                      size_gb=raw["size_gigabytes"], tags=sorted(raw["tags"]), id=raw["id"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "tags":
            return sorted(desired) == sorted(actual or [])
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: Volume | None, changes: Changes) -> None:
        if actual is None:
            made = ctx.cloud.post("volumes", {"name": self.name, "region": self.region,
                                              "size_gigabytes": self.size_gb, "tags": sorted(self.tags or []),
                                              "description": "kops: an etcd member's data"})
            self.id = made["volume"]["id"]
            return
        for name in sorted(set(self.tags or []) - set(actual.tags or [])):
            tag_resources(ctx, name, "volume", [self.id])


@DISCOVERY.register("volumes")
def list_volumes(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return tagged(api, "volumes", cluster_name)


@DISCOVERY.register_deletions("volumes")
def delete_volumes(snapshot: Snapshot, cluster_name: str) -> list[Volume]:
    """A volume etcd-manager attached goes after its Droplets (the API refuses to delete an attached volume)."""
    droplets = {d["id"] for d in snapshot.get("droplets") if owned(d, cluster_name)}
    return [Volume(name=v["name"], id=v["id"], region=v["region"]["slug"], size_gb=v["size_gigabytes"],
                   attached=[Droplet(name=str(d), id=d) for d in v.get("droplet_ids") or [] if d in droplets])
            for v in snapshot.get("volumes") if owned(v, cluster_name)]
