"""Droplet: one machine. The model never makes one (a :class:`~kops_digitalocean.tasks.droplet_group.DropletGroup`
does): this task is how ``kops delete cluster`` ends each of the cluster's Droplets, its group's or detached, before
the VPC they are in. Ending a Droplet also deletes its machine key tag (:func:`end`): the API keeps a tag when
nothing carries it any more, and each key tag is one Droplet's."""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY, tagged
from kops_digitalocean.tags import MACHINE_KEY, owned, tag, value
from kops_digitalocean.tasks import DOTask
from kops_digitalocean.tasks.vpc import VPC


class Droplet(DOTask):
    #: The VPC it is in: a placeholder carrying its ID, so the VPC is deleted after it.
    vpc: VPC | None = None
    id: int | None = None

    api_kind = "droplets"
    output_fields = {"id"}

    def find(self, ctx: Context) -> Droplet | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Droplet(name=self.name, lifecycle=self.lifecycle, vpc=raw.get("vpc_uuid"), id=raw["id"])

    def delete_direct(self, ctx: Context) -> None:
        end(ctx.cloud, self.listed(ctx) or {"id": self.cloud_id})


def end(api: Any, droplet: dict[str, Any]) -> None:
    """Delete the Droplet (a listed one, with its tags), then its machine key tag."""
    api.delete(f"droplets/{droplet['id']}")
    key = value(droplet.get("tags") or [], MACHINE_KEY)
    if key:
        api.delete(f"tags/{tag(MACHINE_KEY, key)}")


@DISCOVERY.register("droplets")
def list_droplets(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return tagged(api, "droplets", cluster_name)


@DISCOVERY.register_deletions("droplets")
def delete_droplets(snapshot: Snapshot, cluster_name: str) -> list[Droplet]:
    """Each one (named with its ID: a group's Droplets share a name) before the cluster's own VPC, when it is in it
    (a VPC with members cannot be deleted)."""
    own_vpcs = {v["id"] for v in snapshot.get("vpcs")}
    return [Droplet(name=f"{d['name']}-{d['id']}", id=d["id"],
                    vpc=VPC(name=d["vpc_uuid"], id=d["vpc_uuid"]) if d.get("vpc_uuid") in own_vpcs else None)
            for d in snapshot.get("droplets") if owned(d, cluster_name)]
