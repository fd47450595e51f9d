"""LBMonitor: the health check of the API load balancer's pool (``api.<cluster>``): a TCP connection every 10 s,
5 s to answer, a server in after 3 successes and out after 3 failures, as upstream."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks.lb_pool import LBPool
from kops_openstack.tasks.loadbalancer import LoadBalancerChild, has_octavia


class LBMonitor(LoadBalancerChild):
    pool: LBPool | None = None
    delay: int | None = None
    timeout: int | None = None
    max_retries: int | None = None
    max_retries_down: int | None = None
    id: str | None = None

    kind = "lbMonitors"
    immutable_fields = {"pool"}
    output_fields = {"id"}

    def load_balancer_id(self) -> str:
        return self.pool.loadbalancer.id

    def find(self, ctx: Context) -> LBMonitor | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        pool = (raw.pools or [{}])[0].get("id")
        return LBMonitor(name=self.name, lifecycle=self.lifecycle, pool=LBPool(name="", id=pool), delay=raw.delay,
                         timeout=raw.timeout, max_retries=raw.max_retries, max_retries_down=raw.max_retries_down,
                         id=raw.id)

    def render_direct(self, ctx: Context, actual: LBMonitor | None, changes: Changes) -> None:
        octavia = ctx.cloud.load_balancer
        settings = {"delay": self.delay, "timeout": self.timeout, "max_retries": self.max_retries,
                    "max_retries_down": self.max_retries_down}
        if actual is None:
            self.id = octavia.create_health_monitor(name=self.name, pool_id=self.pool.id, type="TCP", **settings).id
        else:
            octavia.update_health_monitor(self.id, **settings)
        self.settle(ctx)

    def delete_direct(self, ctx: Context) -> None:
        # Only ever deleted with its load balancer (a cascade).
        pass


@DISCOVERY.register("lbMonitors")
def list_monitors(conn: Any, cluster_name: str) -> list[Any]:
    return list(conn.load_balancer.health_monitors()) if has_octavia(conn) else []
