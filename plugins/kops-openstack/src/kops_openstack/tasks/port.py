"""Port: a server's address on its subnet, with its role's security groups: ``port-<group>-<n>-<cluster>``, made
before the server, as upstream. It outlives the server it was made for: a server deleted by a rolling update
leaves its port (and address) to its replacement. A server detached by a surge gives its port up instead (the port
is renamed ``...-detached-<server>``), so its replacement gets a new one; deleting that server deletes its port."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags
from kops_openstack.tasks.network import Network
from kops_openstack.tasks.security_group import SecurityGroup
from kops_openstack.tasks.subnet import Subnet

DETACHED = "-detached-"


class Port(OpenstackTask):
    network: Network | None = None
    subnet: Subnet | None = None
    security_groups: list[SecurityGroup] | None = None
    tags: list[str] | None = None
    id: str | None = None
    #: The address Neutron gave it.
    address: str | None = None

    kind = "ports"
    immutable_fields = {"network", "subnet"}
    output_fields = {"id", "address"}

    def find(self, ctx: Context) -> Port | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        fixed = (raw.fixed_ips or [{}])[0]
        return Port(name=self.name, lifecycle=self.lifecycle, network=Network(name="", id=raw.network_id),
                    subnet=Subnet(name="", id=fixed.get("subnet_id")),
                    security_groups=[SecurityGroup(name="", id=i) for i in sorted(raw.security_group_ids or [])],
                    tags=sorted_tags(raw.tags), id=raw.id, address=fixed.get("ip_address"))

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "security_groups":
            return sorted(g.id or g.name for g in desired or []) == sorted(g.id or g.name for g in actual or [])
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: Port | None, changes: Changes) -> None:
        net = ctx.cloud.network
        groups = [g.id for g in self.security_groups or []]
        if actual is None:
            made = net.create_port(name=self.name, network_id=self.network.id,
                                   fixed_ips=[{"subnet_id": self.subnet.id}], security_groups=groups)
            self.id, self.address = made.id, (made.fixed_ips or [{}])[0].get("ip_address")
        elif "security_groups" in changes:
            net.update_port(self.id, security_groups=groups)
        net.set_tags(net.get_port(self.id), self.tags or [])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_port(self.id, ignore_missing=True)


@DISCOVERY.register("ports")
def list_ports(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.network.ports, cluster_name)


def deletion(port: Any) -> Port:
    """A deletion task for a listed port, after its subnet's and security groups' deletions are linked to it."""
    fixed = (port.fixed_ips or [{}])[0]
    return Port(name=port.name, id=port.id, network=Network(name="", id=port.network_id),
                subnet=Subnet(name="", id=fixed.get("subnet_id")),
                security_groups=[SecurityGroup(name="", id=i) for i in port.security_group_ids or []])


@DISCOVERY.register_deletions("ports")
def delete_ports(snapshot: Snapshot, cluster_name: str) -> list[Port]:
    return [deletion(p) for p in snapshot.get("ports") if owns(p, cluster_name)]
