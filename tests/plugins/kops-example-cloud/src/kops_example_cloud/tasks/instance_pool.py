"""InstancePool: an instance group's machines; the cloud keeps ``size`` of them running across its zones.

What its machines boot with (machine type, image, user data) is the pool's launch configuration: changing it makes
a new ``launch_version``, and machines launched from an older one need replacing (a rolling update's job;
:mod:`kops_example_cloud.cloudgroups` tells which). The network and zones cannot change.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_example_cloud.discovery import DISCOVERY, labelled
from kops_example_cloud.labels import owned
from kops_example_cloud.tasks import ExampleTask
from kops_example_cloud.tasks.network import Network

#: The fields of the launch configuration.
LAUNCH_FIELDS = ("machine_type", "image", "user_data")


class InstancePool(ExampleTask):
    network: Network | None = None
    zones: list[str] | None = None
    size: int | None = None
    machine_type: str | None = None
    image: str | None = None
    user_data: str | None = None
    labels: dict[str, str] | None = None
    id: str | None = None
    #: The launch configuration's version, which the cloud counts up.
    launch_version: int | None = None

    api_kind = "pools"
    immutable_fields = {"network", "zones"}
    immutable_advice = "a pool's network and zones cannot change: make a new instance group and delete this one"
    output_fields = {"id", "launch_version"}

    def find(self, ctx: Context) -> InstancePool | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        launch = raw["launch"]
        return InstancePool(name=self.name, lifecycle=self.lifecycle, network=raw["network"], zones=raw["zones"],
                            size=raw["size"], machine_type=launch["machineType"], image=launch["image"],
                            user_data=launch.get("userData", ""), labels=raw["labels"], id=raw["id"],
                            launch_version=raw["launchVersion"])

    def render_direct(self, ctx: Context, actual: InstancePool | None, changes: Changes) -> None:
        launch = {"machineType": self.machine_type, "image": self.image, "userData": self.user_data or ""}
        if actual is None:
            pool = ctx.cloud.create("pools", {"name": self.name, "network": self.network.id if self.network else None,
                                              "zones": self.zones, "size": self.size, "launch": launch,
                                              "labels": self.labels})
        else:
            body: dict[str, Any] = {"size": self.size} if "size" in changes else {}
            if "labels" in changes:
                body["labels"] = self.labels
            if any(f in changes for f in LAUNCH_FIELDS):
                body["launch"] = launch
            pool = ctx.cloud.update("pools", self.id, body)
        self.id, self.launch_version = pool["id"], pool["launchVersion"]


@DISCOVERY.register("pools")
def list_pools(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return labelled(api, "pools", cluster_name)


@DISCOVERY.register_deletions("pools")
def delete_pools(snapshot: Snapshot, cluster_name: str) -> list[InstancePool]:
    """Deleting a pool ends its machines with it."""
    return [InstancePool(name=r["name"], id=r["id"], network=Network(name=r["network"], id=r["network"]),
                         zones=r["zones"], size=r["size"])
            for r in snapshot.get("pools") if owned(r, cluster_name)]
