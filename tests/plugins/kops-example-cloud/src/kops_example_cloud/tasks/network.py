"""Network: the cluster's network; every machine gets an address in its CIDR."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_example_cloud.discovery import DISCOVERY, labelled
from kops_example_cloud.labels import owned
from kops_example_cloud.tasks import ExampleTask


class Network(ExampleTask):
    cidr: str | None = None
    labels: dict[str, str] | None = None
    id: str | None = None

    api_kind = "networks"
    immutable_fields = {"cidr"}
    immutable_advice = "a network's CIDR cannot change: restore networkCIDR"
    output_fields = {"id"}

    def find(self, ctx: Context) -> Network | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Network(name=self.name, lifecycle=self.lifecycle, cidr=raw["cidr"], labels=raw["labels"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: Network | None, changes: Changes) -> None:
        if actual is None:
            self.id = ctx.cloud.create("networks", {"name": self.name, "cidr": self.cidr, "labels": self.labels})["id"]
        else:
            ctx.cloud.update("networks", self.id, {"labels": self.labels})


@DISCOVERY.register("networks")
def list_networks(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return labelled(api, "networks", cluster_name)


@DISCOVERY.register_deletions("networks")
def delete_networks(snapshot: Snapshot, cluster_name: str) -> list[Network]:
    return [Network(name=r["name"], id=r["id"], cidr=r["cidr"])
            for r in snapshot.get("networks") if owned(r, cluster_name)]
