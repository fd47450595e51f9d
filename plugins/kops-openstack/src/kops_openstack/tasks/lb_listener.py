"""LBListener: the API load balancer's listener (``api.<cluster>``, TCP on 443) sending to its pool. Who may connect
is the listener's own list (``kubernetesApiAccess``, IPv4 only, as upstream with Octavia's allowed CIDRs): the
amphora enforces it, since security groups on the virtual IP's port do not apply to traffic it forwards."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks.lb_pool import LBPool
from kops_openstack.tasks.loadbalancer import LoadBalancer, LoadBalancerChild, has_octavia


class LBListener(LoadBalancerChild):
    loadbalancer: LoadBalancer | None = None
    pool: LBPool | None = None
    port: int | None = None
    allowed_cidrs: list[str] | None = None
    id: str | None = None

    kind = "lbListeners"
    immutable_fields = {"loadbalancer", "port"}
    output_fields = {"id"}

    def load_balancer_id(self) -> str:
        return self.loadbalancer.id

    def find(self, ctx: Context) -> LBListener | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        owner = (raw.load_balancers or [{}])[0].get("id")
        return LBListener(name=self.name, lifecycle=self.lifecycle, loadbalancer=LoadBalancer(name="", id=owner),
                          pool=LBPool(name="", id=raw.default_pool_id) if raw.default_pool_id else None,
                          port=raw.protocol_port, allowed_cidrs=sorted(raw.allowed_cidrs or []), id=raw.id)

    def render_direct(self, ctx: Context, actual: LBListener | None, changes: Changes) -> None:
        octavia = ctx.cloud.load_balancer
        cidrs = sorted(self.allowed_cidrs or [])
        if actual is None:
            self.id = octavia.create_listener(name=self.name, loadbalancer_id=self.loadbalancer.id, protocol="TCP",
                                              protocol_port=self.port, default_pool_id=self.pool.id,
                                              allowed_cidrs=cidrs).id
        else:
            octavia.update_listener(self.id, default_pool_id=self.pool.id, allowed_cidrs=cidrs)
        self.settle(ctx)

    def delete_direct(self, ctx: Context) -> None:
        # Only ever deleted with its load balancer (a cascade).
        pass


@DISCOVERY.register("lbListeners")
def list_listeners(conn: Any, cluster_name: str) -> list[Any]:
    return list(conn.load_balancer.listeners()) if has_octavia(conn) else []
