"""Instance: a machine of the cluster. Managed instance groups make and delete them, and the model never makes one:
this task exists so ``kops delete cluster`` also deletes a machine taken out of its group (a rolling update's
surge) and still running, which nothing else would. Its instance group goes first (deleting the machines it
manages); then whatever of the cluster is left in the zone goes.

The instances the cluster's listing holds carry its label (their template gave it to them).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot

from kops_gce.discovery import DISCOVERY, label_filter, owned_in
from kops_gce.tasks import GCETask, delete_quietly, last


class Instance(GCETask):
    zone: str | None = None
    self_link: str | None = None

    api_kind = "instances"
    scope = "zone"

    def find(self, ctx: Context) -> Instance | None:
        raw = ctx.snapshot.first(self.api_kind, lambda r: r.get("self_link") == self.self_link)
        if raw is None:
            return None
        return Instance(name=self.name, lifecycle=self.lifecycle, zone=last(raw.get("zone")),
                        self_link=raw["self_link"])

    def delete_direct(self, ctx: Context) -> None:
        client = ctx.cloud.compute("Instances")
        delete_quietly(ctx, lambda: client.delete(project=ctx.cloud.project, zone=self.zone, instance=self.name))


@DISCOVERY.register("instances")
def list_instances(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.aggregated("Instances", label_filter(cluster_name))


@DISCOVERY.register_deletions("instances")
def delete_instances(snapshot: Snapshot, cluster_name: str) -> list[Instance]:
    """Every machine labelled for the cluster: those a group manages are gone with it by the time these run (see
    :func:`kops_gce.tasks.instance_group_manager.delete_instance_group_managers`), so only the others are
    deleted here."""
    return [Instance(name=r["name"], zone=last(r.get("zone")), self_link=r["self_link"])
            for r in owned_in(snapshot, "instances", cluster_name)]
