"""VPC: the cluster's own private network, made when the spec asks for one (``networkCIDR``), named
``vpc-<safe cluster name>`` as upstream names it. A VPC carries no tags, so its name is what makes it the
cluster's; a VPC the spec shares (``networkID``) is never a task."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY
from kops_digitalocean.tags import vpc_name
from kops_digitalocean.tasks import DOTask


class VPC(DOTask):
    region: str | None = None
    ip_range: str | None = None
    id: str | None = None

    api_kind = "vpcs"
    immutable_fields = {"region", "ip_range"}
    immutable_advice = "a VPC's region and range cannot change: restore networkCIDR"
    output_fields = {"id"}

    def find(self, ctx: Context) -> VPC | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return VPC(name=self.name, lifecycle=self.lifecycle, region=raw["region"], ip_range=raw["ip_range"],
                   id=raw["id"])

    def render_direct(self, ctx: Context, actual: VPC | None, changes: Changes) -> None:
        if actual is None:
            made = ctx.cloud.post("vpcs", {"name": self.name, "region": self.region, "ip_range": self.ip_range,
                                           "description": "kops: the cluster's network"})
            self.id = made["vpc"]["id"]


@DISCOVERY.register("vpcs")
def list_vpcs(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return [v for v in api.get("vpcs")["vpcs"] if v["name"] == vpc_name(cluster_name) and not v.get("default")]


@DISCOVERY.register_deletions("vpcs")
def delete_vpcs(snapshot: Snapshot, cluster_name: str) -> list[VPC]:
    return [VPC(name=v["name"], id=v["id"], region=v["region"]) for v in snapshot.get("vpcs")]
