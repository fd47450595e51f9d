"""FloatingIP: a public address from the external network, on a server's port (``fip-<group>-<n>-<cluster>``) or
the API load balancer's (``fip-api.<cluster>``), as upstream names them. Kept in the address's description, which
is how it is found; it stays when its port goes, and follows the port that replaces it."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.errors import KopsError

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags
from kops_openstack.tasks.port import Port


class FloatingIP(OpenstackTask):
    #: The external network's name (or ID) the address comes from.
    network: str | None = None
    port: Port | None = None
    tags: list[str] | None = None
    id: str | None = None
    address: str | None = None

    kind = "floatingIps"
    immutable_fields = {"network"}
    output_fields = {"id", "address"}

    def find(self, ctx: Context) -> FloatingIP | None:
        raw = ctx.snapshot.first("floatingIps", lambda f: f.description == self.name)
        if raw is None:
            return None
        return FloatingIP(name=self.name, lifecycle=self.lifecycle, network=self.network,
                          port=Port(name="", id=raw.port_id) if raw.port_id else None, tags=sorted_tags(raw.tags),
                          id=raw.id, address=raw.floating_ip_address)

    def render_direct(self, ctx: Context, actual: FloatingIP | None, changes: Changes) -> None:
        net = ctx.cloud.network
        if actual is None:
            external = net.find_network(self.network, ignore_missing=True)
            if external is None:
                raise KopsError(f"spec.cloudConfig.openstack: OpenStack has no external network {self.network!r} "
                                "for floating IPs")
            made = net.create_ip(floating_network_id=external.id, description=self.name,
                                 port_id=self.port.id if self.port else None)
            self.id, self.address = made.id, made.floating_ip_address
        elif "port" in changes:
            net.update_ip(self.id, port_id=self.port.id if self.port else None)
        net.set_tags(net.get_ip(self.id), self.tags or [])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_ip(self.id, ignore_missing=True)


@DISCOVERY.register("floatingIps")
def list_floating_ips(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.network.ips, cluster_name)


@DISCOVERY.register_deletions("floatingIps")
def delete_floating_ips(snapshot: Snapshot, cluster_name: str) -> list[FloatingIP]:
    # Released before the ports they are on go (a port is deleted with its address still on it otherwise).
    return [FloatingIP(name=f.description or f.id, id=f.id, port=Port(name="", id=f.port_id) if f.port_id else None)
            for f in snapshot.get("floatingIps") if owns(f, cluster_name)]
