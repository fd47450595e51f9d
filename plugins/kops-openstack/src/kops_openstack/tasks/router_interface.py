"""RouterInterface: a subnet joined to the cluster's router (``ri-<subnet>``, as upstream). Neutron keeps it as a
port of the router on the subnet, which is how it is found."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks import OpenstackTask
from kops_openstack.tasks.router import Router
from kops_openstack.tasks.subnet import Subnet

ROUTER_INTERFACE_OWNERS = ("network:router_interface", "network:router_interface_distributed",
                           "network:ha_router_replicated_interface")


class RouterInterface(OpenstackTask):
    router: Router | None = None
    subnet: Subnet | None = None
    #: The router's port on the subnet.
    id: str | None = None

    kind = "routerInterfaces"
    immutable_fields = {"router", "subnet"}
    replace_on_immutable_change = True
    output_fields = {"id"}

    def find(self, ctx: Context) -> RouterInterface | None:
        if not self.router or not self.router.id or not self.subnet or not self.subnet.id:
            return None
        port = ctx.snapshot.first("routerInterfaces", lambda p: p.device_id == self.router.id and any(
            ip.get("subnet_id") == self.subnet.id for ip in p.fixed_ips or ()))
        if port is None:
            return None
        return RouterInterface(name=self.name, lifecycle=self.lifecycle, router=self.router, subnet=self.subnet,
                               id=port.id)

    def render_direct(self, ctx: Context, actual: RouterInterface | None, changes: Changes) -> None:
        self.id = ctx.cloud.network.add_interface_to_router(self.router.id, subnet_id=self.subnet.id)["port_id"]

    def delete_direct(self, ctx: Context) -> None:
        from kops_openstack.api import not_found

        try:
            ctx.cloud.network.remove_interface_from_router(self.router.id, subnet_id=self.subnet.id)
        except Exception as exc:  # noqa: BLE001 - only "already gone" is swallowed
            if not not_found(exc):
                raise


@DISCOVERY.register("routerInterfaces")
def list_router_interfaces(conn: Any, cluster_name: str) -> list[Any]:
    """The ports of the cluster's routers on its subnets."""
    from kops_openstack.tasks.router import list_routers

    ports = []
    for router in list_routers(conn, cluster_name):
        ports += [p for p in conn.network.ports(device_id=router.id) if p.device_owner in ROUTER_INTERFACE_OWNERS]
    return ports


@DISCOVERY.register_deletions("routerInterfaces")
def delete_router_interfaces(snapshot: Snapshot, cluster_name: str) -> list[RouterInterface]:
    # Every interface of a router the cluster owns goes with it (Neutron refuses to delete a router that has some).
    return [RouterInterface(name=f"ri-{ip['subnet_id']}", id=p.id, router=Router(name="", id=p.device_id),
                            subnet=Subnet(name="", id=ip["subnet_id"]))
            for p in snapshot.get("routerInterfaces") for ip in (p.fixed_ips or [])[:1]]
