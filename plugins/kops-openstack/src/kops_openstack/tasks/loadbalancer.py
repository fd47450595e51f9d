"""LoadBalancer: the API's Octavia load balancer (``api.<cluster>``, or ``spec.api.publicName``, as upstream names
it), tagged as the cluster's.

kops makes its virtual IP's port itself (``port-api.<cluster>``, a :class:`~kops_openstack.tasks.port.Port`) and
hands it to Octavia, where upstream lets Octavia make one. The port is then the cluster's like any other: tagged,
deleted with the cluster, its address known before the load balancer exists (so the API server's certificate can
name it), and the API's floating IP sits on it. Octavia leaves a port it did not make in place when the load
balancer goes.

Octavia takes one change at a time per load balancer: after each change to it or to its listener, pool, monitor or
members (:mod:`kops_openstack.tasks.lb_listener` ...), kops waits for it to be ``ACTIVE`` again.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags
from kops_openstack.tasks.port import Port

#: How long Octavia may take to make or change a load balancer (an amphora boots), in seconds.
ACTIVE_TIMEOUT = 900
#: Providers named by upstream's ``loadbalancer.provider`` that mean Octavia's default one: ``haproxy`` is Neutron
#: LBaaS's (retired; Octavia serves its API now), ``octavia`` Octavia's old name for ``amphora``.
DEFAULT_PROVIDERS = ("", "haproxy", "octavia")


def wait_active(ctx: Context, lb_id: str) -> None:
    """Wait until Octavia has carried out the load balancer's last change."""
    ctx.cloud.load_balancer.wait_for_load_balancer(lb_id, status="ACTIVE", failures=["ERROR"], wait=ACTIVE_TIMEOUT)


class LoadBalancer(OpenstackTask):
    #: Its virtual IP's port (kops's own).
    port: Port | None = None
    provider: str | None = None
    flavor_id: str | None = None
    tags: list[str] | None = None
    id: str | None = None

    kind = "loadBalancers"
    immutable_fields = {"port", "provider", "flavor_id"}
    replace_on_immutable_change = True
    output_fields = {"id"}

    def find(self, ctx: Context) -> LoadBalancer | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return LoadBalancer(name=self.name, lifecycle=self.lifecycle, port=Port(name="", id=raw.vip_port_id),
                            provider=raw.provider if self.provider else None,
                            flavor_id=raw.flavor_id if self.flavor_id else None, tags=sorted_tags(raw.tags),
                            id=raw.id)

    def render_direct(self, ctx: Context, actual: LoadBalancer | None, changes: Changes) -> None:
        octavia = ctx.cloud.load_balancer
        if actual is None:
            opts: dict[str, Any] = {"name": self.name, "vip_port_id": self.port.id, "tags": self.tags or [],
                                    "vip_subnet_id": self.port.subnet.id, "vip_address": self.port.address}
            if self.provider:
                opts["provider"] = self.provider
            if self.flavor_id:
                opts["flavor_id"] = self.flavor_id
            self.id = octavia.create_load_balancer(**opts).id
        elif "tags" in changes:
            octavia.update_load_balancer(self.id, tags=self.tags or [])
        wait_active(ctx, self.id)

    def delete_direct(self, ctx: Context) -> None:
        """With its listener, pool, monitor and members (a cascade), then waits until it is gone, so its port can go."""
        octavia = ctx.cloud.load_balancer
        found = octavia.find_load_balancer(self.id, ignore_missing=True)
        if found is None:
            return
        if found.provisioning_status != "PENDING_DELETE":
            octavia.delete_load_balancer(found, ignore_missing=True, cascade=True)
        octavia.wait_for_delete(found, wait=ACTIVE_TIMEOUT)


class LoadBalancerChild(OpenstackTask):
    """A listener, pool, monitor or member: changed through its load balancer, which it waits for."""

    def load_balancer_id(self) -> str:
        raise NotImplementedError

    def settle(self, ctx: Context) -> None:
        wait_active(ctx, self.load_balancer_id())


def has_octavia(conn: Any) -> bool:
    """Whether the cloud has a load balancer service: one without lists no load balancers rather than failing."""
    return bool(conn.has_service("load-balancer"))


@DISCOVERY.register("loadBalancers")
def list_load_balancers(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.load_balancer.load_balancers, cluster_name) if has_octavia(conn) else []


@DISCOVERY.register_deletions("loadBalancers")
def delete_load_balancers(snapshot: Snapshot, cluster_name: str) -> list[LoadBalancer]:
    # The port is a placeholder, linked to the port's own deletion so the load balancer goes first.
    return [LoadBalancer(name=b.name, id=b.id, port=Port(name="", id=b.vip_port_id))
            for b in snapshot.get("loadBalancers") if owns(b, cluster_name)]
