"""Route: a route of the cluster's own network that someone other than GCE added (Kubernetes' cloud controller
manager adds one per node for its pods' range with kubenet's routes). kops never makes one, so this task exists
only so ``kops delete cluster`` deletes them: GCE deletes no network that still has routes other than its own (the
default route to the internet and the subnetworks' routes, which go with the network).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot

from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, last
from kops_gce.tasks.network import Network

#: What GCE names the default route it gives every network.
DEFAULT_ROUTE_PREFIX = "default-route-"


def gce_managed(route: dict[str, Any]) -> bool:
    """Whether GCE made the route with its network, and deletes it with it: a subnetwork's route, or the default
    route to the internet gateway."""
    if route.get("next_hop_network") or route.get("next_hop_peering"):
        return True
    return (str(route.get("name", "")).startswith(DEFAULT_ROUTE_PREFIX) and route.get("dest_range") == "0.0.0.0/0"
            and last(route.get("next_hop_gateway")) == "default-internet-gateway")


class Route(GCETask):
    network: Network | None = None
    self_link: str | None = None

    api_kind = "routes"

    def find(self, ctx: Context) -> Route | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Route(name=self.name, lifecycle=self.lifecycle, network=raw.get("network"), self_link=raw["self_link"])

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("Routes").delete(project=ctx.cloud.project, route=self.name))


@DISCOVERY.register("routes")
def list_routes(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.list("Routes")


@DISCOVERY.register_deletions("routes")
def delete_routes(snapshot: Snapshot, cluster_name: str) -> list[Route]:
    """The routes of each network the cluster owns, other than GCE's own; each goes before its network."""
    networks = {r["self_link"]: r["name"] for r in owned_in(snapshot, "networks", cluster_name)}
    return [Route(name=r["name"], self_link=r["self_link"],
                  network=Network(name=networks[r["network"]], self_link=r["network"]))
            for r in snapshot.get("routes") if r.get("network") in networks and not gce_managed(r)]
