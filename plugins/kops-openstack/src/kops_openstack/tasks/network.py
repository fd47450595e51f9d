"""Network: the cluster's Neutron network (named after the cluster, as upstream), or the user's (``networkID``),
which is only read."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags


class Network(OpenstackTask):
    tags: list[str] | None = None
    #: ``spec.cloudConfig.openstack.network.availabilityZoneHints``.
    availability_zone_hints: list[str] | None = None
    id: str | None = None

    kind = "networks"
    immutable_fields = {"availability_zone_hints"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> Network | None:
        if self.lifecycle.shared:
            raw = ctx.cloud.network.find_network(self.id or self.name, ignore_missing=True)
        else:
            raw = self.listed(ctx)
        if raw is None:
            return None
        return Network(name=self.name, lifecycle=self.lifecycle, tags=sorted_tags(raw.tags),
                       availability_zone_hints=list(raw.availability_zone_hints or []) or None, id=raw.id)

    def render_direct(self, ctx: Context, actual: Network | None, changes: Changes) -> None:
        net = ctx.cloud.network
        if actual is None:
            opts: dict[str, Any] = {"name": self.name}
            if self.availability_zone_hints:
                opts["availability_zone_hints"] = self.availability_zone_hints
            self.id = net.create_network(**opts).id
        net.set_tags(net.get_network(self.id), self.tags or [])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_network(self.id, ignore_missing=True)


@DISCOVERY.register("networks")
def list_networks(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.network.networks, cluster_name)


@DISCOVERY.register_deletions("networks")
def delete_networks(snapshot: Snapshot, cluster_name: str) -> list[Network]:
    return [Network(name=r.name, id=r.id) for r in snapshot.get("networks") if owns(r, cluster_name)]
