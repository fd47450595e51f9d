"""LBMember: a control-plane server's place in the API load balancer's pool, one per place in a control-plane group
(named like the place, ``<group>-<n>-<cluster>``), at its port's address on 443 with weight 1. The port outlives
the server (:mod:`kops_openstack.tasks.port`), so a server replaced by a rolling update is back in the pool at the
same address without a change here; upstream instead adds a member per server found by its name."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context

from kops_openstack.discovery import DISCOVERY, tagged
from kops_openstack.tasks.lb_pool import LBPool
from kops_openstack.tasks.loadbalancer import LoadBalancerChild, has_octavia
from kops_openstack.tasks.port import Port


class LBMember(LoadBalancerChild):
    pool: LBPool | None = None
    #: The server's port: the member's address and subnet.
    port: Port | None = None
    protocol_port: int | None = None
    weight: int | None = None
    id: str | None = None
    address: str | None = None

    kind = "lbMembers"
    immutable_fields = {"pool", "port", "protocol_port"}
    replace_on_immutable_change = True
    output_fields = {"id", "address"}

    def load_balancer_id(self) -> str:
        return self.pool.loadbalancer.id

    def find(self, ctx: Context) -> LBMember | None:
        pool_id = self.pool.id if self.pool else None
        raw = ctx.snapshot.first(self.kind, lambda m: m.name == self.name and (pool_id is None or
                                                                                 m.pool_id == pool_id))
        if raw is None:
            return None
        port = self.port if self.port is not None and self.port.address == raw.address else \
            Port(name="", address=raw.address)
        return LBMember(name=self.name, lifecycle=self.lifecycle, pool=LBPool(name="", id=raw.pool_id), port=port,
                        protocol_port=raw.protocol_port, weight=raw.weight, id=raw.id, address=raw.address)

    def render_direct(self, ctx: Context, actual: LBMember | None, changes: Changes) -> None:
        octavia = ctx.cloud.load_balancer
        if actual is None:
            self.id = octavia.create_member(self.pool.id, name=self.name, address=self.port.address,
                                            subnet_id=self.port.subnet.id, protocol_port=self.protocol_port,
                                            weight=self.weight).id
            self.address = self.port.address
        else:
            octavia.update_member(self.id, self.pool.id, weight=self.weight)
        self.settle(ctx)

    def delete_direct(self, ctx: Context) -> None:
        octavia = ctx.cloud.load_balancer
        octavia.delete_member(self.id, self.pool.id, ignore_missing=True)
        self.settle(ctx)


@DISCOVERY.register("lbMembers")
def list_members(conn: Any, cluster_name: str) -> list[Any]:
    """The members of the cluster's load balancers' pools (Octavia lists members per pool)."""
    if not has_octavia(conn):
        return []
    found = []
    for balancer in tagged(conn.load_balancer.load_balancers, cluster_name):
        for pool in balancer.pools or []:
            for member in conn.load_balancer.members(pool["id"]):
                member.pool_id = pool["id"]
                found.append(member)
    return found
