"""Subnet: one per subnet of the spec, named ``<subnet>.<cluster>`` as upstream, with the spec's CIDR and the
router's DNS servers (``cloudConfig.openstack.router.dnsServers``)."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags
from kops_openstack.tasks.network import Network


class Subnet(OpenstackTask):
    network: Network | None = None
    cidr: str | None = None
    dns_servers: list[str] | None = None
    tags: list[str] | None = None
    id: str | None = None

    kind = "subnets"
    immutable_fields = {"network", "cidr"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> Subnet | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Subnet(name=self.name, lifecycle=self.lifecycle, network=Network(name="", id=raw.network_id),
                      cidr=raw.cidr, dns_servers=list(raw.dns_nameservers or []), tags=sorted_tags(raw.tags),
                      id=raw.id)

    def render_direct(self, ctx: Context, actual: Subnet | None, changes: Changes) -> None:
        net = ctx.cloud.network
        if actual is None:
            self.id = net.create_subnet(name=self.name, network_id=self.network.id, cidr=self.cidr, ip_version=4,
                                        dns_nameservers=self.dns_servers or []).id
        elif "dns_servers" in changes:
            net.update_subnet(self.id, dns_nameservers=self.dns_servers or [])
        net.set_tags(net.get_subnet(self.id), self.tags or [])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_subnet(self.id, ignore_missing=True)


@DISCOVERY.register("subnets")
def list_subnets(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.network.subnets, cluster_name)


@DISCOVERY.register_deletions("subnets")
def delete_subnets(snapshot: Snapshot, cluster_name: str) -> list[Subnet]:
    return [Subnet(name=r.name, id=r.id, network=Network(name="", id=r.network_id))
            for r in snapshot.get("subnets") if owns(r, cluster_name)]
