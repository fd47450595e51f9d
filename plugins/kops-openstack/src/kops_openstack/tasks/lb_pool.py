"""LBPool: the API load balancer's pool of control-plane servers (``api.<cluster>-https``, TCP), balanced
round-robin, or by source address and port where the provider is OVN (which balances no other way), as upstream."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks.loadbalancer import LoadBalancer, LoadBalancerChild, has_octavia


class LBPool(LoadBalancerChild):
    loadbalancer: LoadBalancer | None = None
    method: str | None = None
    id: str | None = None

    kind = "lbPools"
    immutable_fields = {"loadbalancer"}
    output_fields = {"id"}

    def load_balancer_id(self) -> str:
        return self.loadbalancer.id

    def find(self, ctx: Context) -> LBPool | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        owner = (raw.loadbalancers or [{}])[0].get("id")
        return LBPool(name=self.name, lifecycle=self.lifecycle, loadbalancer=LoadBalancer(name="", id=owner),
                      method=raw.lb_algorithm, id=raw.id)

    def render_direct(self, ctx: Context, actual: LBPool | None, changes: Changes) -> None:
        octavia = ctx.cloud.load_balancer
        if actual is None:
            self.id = octavia.create_pool(name=self.name, loadbalancer_id=self.loadbalancer.id, protocol="TCP",
                                          lb_algorithm=self.method).id
        else:
            octavia.update_pool(self.id, lb_algorithm=self.method)
        self.settle(ctx)

    def delete_direct(self, ctx: Context) -> None:
        # Only ever deleted with its load balancer (a cascade).
        pass


@DISCOVERY.register("lbPools")
def list_pools(conn: Any, cluster_name: str) -> list[Any]:
    return list(conn.load_balancer.pools()) if has_octavia(conn) else []
