"""Router: the cluster's way out, with its gateway on the external network the spec names
(``cloudConfig.openstack.router.externalNetwork``, and ``externalSubnet`` where given). Named after the cluster
with dots turned into dashes, as upstream; there is none when no external network is named or subnets are shared.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.errors import KopsError

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags


class Router(OpenstackTask):
    #: The external network's name (or ID).
    external_network: str | None = None
    external_subnet: str | None = None
    tags: list[str] | None = None
    id: str | None = None

    kind = "routers"
    output_fields = {"id"}

    def find(self, ctx: Context) -> Router | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        gateway = raw.external_gateway_info or {}
        network = gateway.get("network_id")
        if self.external_network and self._external(ctx).id == network:
            network = self.external_network
        return Router(name=self.name, lifecycle=self.lifecycle, external_network=network,
                      external_subnet=self.external_subnet, tags=sorted_tags(raw.tags), id=raw.id)

    def _external(self, ctx: Context) -> Any:
        found = ctx.cloud.network.find_network(self.external_network, ignore_missing=True)
        if found is None or not found.is_router_external:
            raise KopsError(f"spec.cloudConfig.openstack.router.externalNetwork: OpenStack has no external network "
                            f"{self.external_network!r}")
        return found

    def _gateway(self, ctx: Context) -> dict[str, Any]:
        gateway: dict[str, Any] = {"network_id": self._external(ctx).id}
        if self.external_subnet:
            subnet = ctx.cloud.network.find_subnet(self.external_subnet, ignore_missing=False)
            gateway["external_fixed_ips"] = [{"subnet_id": subnet.id}]
        return gateway

    def render_direct(self, ctx: Context, actual: Router | None, changes: Changes) -> None:
        net = ctx.cloud.network
        if actual is None:
            self.id = net.create_router(name=self.name, external_gateway_info=self._gateway(ctx)).id
        elif "external_network" in changes:
            net.update_router(self.id, external_gateway_info=self._gateway(ctx))
        net.set_tags(net.get_router(self.id), self.tags or [])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_router(self.id, ignore_missing=True)


@DISCOVERY.register("routers")
def list_routers(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.network.routers, cluster_name)


@DISCOVERY.register_deletions("routers")
def delete_routers(snapshot: Snapshot, cluster_name: str) -> list[Router]:
    return [Router(name=r.name, id=r.id) for r in snapshot.get("routers") if owns(r, cluster_name)]
