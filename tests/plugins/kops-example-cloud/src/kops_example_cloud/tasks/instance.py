"""Instance: a machine, launched by its pool and ended with it. The model never makes one: this task exists so
``kops delete cluster`` also ends machines taken out of their pool (a rolling update's surge) and left running."""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot

from kops_example_cloud.discovery import DISCOVERY, labelled
from kops_example_cloud.labels import owned
from kops_example_cloud.tasks import ExampleTask
from kops_example_cloud.tasks.network import Network


class Instance(ExampleTask):
    network: Network | None = None
    zone: str | None = None
    id: str | None = None

    api_kind = "instances"
    output_fields = {"id"}

    def find(self, ctx: Context) -> Instance | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Instance(name=self.name, lifecycle=self.lifecycle, network=raw["network"], zone=raw["zone"],
                        id=raw["id"])


@DISCOVERY.register("instances")
def list_instances(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return labelled(api, "instances", cluster_name)


@DISCOVERY.register_deletions("instances")
def delete_detached_instances(snapshot: Snapshot, cluster_name: str) -> list[Instance]:
    """Machines in no pool; the others end with their pool."""
    return [Instance(name=r["name"], id=r["id"], network=Network(name=r["network"], id=r["network"]), zone=r["zone"])
            for r in snapshot.get("instances") if owned(r, cluster_name) and not r.get("pool")]
