"""Router: a Cloud Router in the cluster's region carrying one Cloud NAT (of the router's name), through which
machines without external addresses, those of private subnets, reach the internet.

The NAT takes addresses GCE allocates (``AUTO_ONLY``) and serves the listed subnetworks' every range. Its
subnetworks can change in place (a private subnet added later), by a patch of the router; the router's network
cannot. As upstream, Terraform gets the two resources GCE's Terraform provider has for them:
``google_compute_router`` and ``google_compute_router_nat``.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Expr, Snapshot, Task
from kops.engine.hcl import Block, resource_name
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly, last
from kops_gce.tasks.network import Network
from kops_gce.tasks.subnetwork import Subnetwork

AUTO_ONLY = "AUTO_ONLY"
LIST_OF_SUBNETWORKS = "LIST_OF_SUBNETWORKS"
#: What the NAT serves of each of its subnetworks: the primary and every secondary range.
ALL_IP_RANGES = ["ALL_IP_RANGES"]


def _link(value: Any) -> Any:
    return value.cloud_id if isinstance(value, Task) else value


class Router(GCETask):
    network: Network | None = None
    region: str | None = None
    #: The NAT's address allocation (``AUTO_ONLY``).
    nat_ip_allocate_option: str | None = None
    #: Which ranges the NAT serves (``LIST_OF_SUBNETWORKS``: those of :attr:`subnetworks`).
    source_subnetwork_ip_ranges_to_nat: str | None = None
    subnetworks: list[Subnetwork] | None = None
    #: Who owns it (:func:`kops_gce.labels.owner_description`); written at creation, never compared.
    description: str | None = None
    self_link: str | None = None

    api_kind = "routers"
    scope = "region"
    terraform_type = "google_compute_router"
    terraform_id_attr = "name"
    immutable_fields = {"network", "region"}
    immutable_advice = "a router cannot move to another network or region: delete it, and run the update again"
    ignored_fields = {"description"}

    def find(self, ctx: Context) -> Router | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        nat = next((n for n in raw.get("nats") or [] if n.get("name") == self.name), None) or {}
        subnets = []
        for sub in nat.get("subnetworks") or []:
            ranges = list(sub.get("source_ip_ranges_to_nat") or [])
            # A subnetwork served otherwise than wholly does not count as served: the update sets it right.
            subnets.append(sub["name"] if ranges == ALL_IP_RANGES else f"{sub['name']} ({', '.join(ranges)})")
        return Router(name=self.name, lifecycle=self.lifecycle, network=raw.get("network"),
                      region=last(raw.get("region")), nat_ip_allocate_option=nat.get("nat_ip_allocate_option"),
                      source_subnetwork_ip_ranges_to_nat=nat.get("source_subnetwork_ip_ranges_to_nat"),
                      subnetworks=subnets, description=raw.get("description"), self_link=raw["self_link"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "subnetworks" and isinstance(actual, list):  # the NAT's subnetworks, in any order
            return sorted(map(str, map(_link, desired))) == sorted(map(str, map(_link, actual)))
        return super().field_equal(field, desired, actual)

    def _nat(self) -> Any:
        from google.cloud import compute_v1

        return compute_v1.RouterNat(
            name=self.name, nat_ip_allocate_option=self.nat_ip_allocate_option,
            source_subnetwork_ip_ranges_to_nat=self.source_subnetwork_ip_ranges_to_nat,
            subnetworks=[compute_v1.RouterNatSubnetworkToNat(name=s.self_link, source_ip_ranges_to_nat=ALL_IP_RANGES)
                         for s in self.subnetworks or []])

    def render_direct(self, ctx: Context, actual: Router | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        routers = ctx.cloud.compute("Routers")
        where = self.where(ctx)
        if actual is None:
            insert_quietly(ctx, lambda: routers.insert(**where, router_resource=compute_v1.Router(
                name=self.name, network=self.network.self_link if self.network else None, nats=[self._nat()],
                description=self.description or "")))
            self.self_link = routers.get(**where, router=self.name).self_link
            return
        # The NAT changes; any other NAT on the router stays as it is.
        current = routers.get(**where, router=self.name)
        nats = [n for n in current.nats if n.name != self.name] + [self._nat()]
        ctx.cloud.wait(routers.patch(**where, router=self.name, router_resource=compute_v1.Router(nats=nats)))

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("Routers").delete(**self.where(ctx), router=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource(self.terraform_type, self.name, {"name": self.name, "network": self.network})
        tf.add_resource("google_compute_router_nat", self.name, {
            "name": self.name,
            "nat_ip_allocate_option": self.nat_ip_allocate_option,
            "region": self.region,
            "router": Expr(f"{self.terraform_type}.{resource_name(self.name)}.name"),
            "source_subnetwork_ip_ranges_to_nat": self.source_subnetwork_ip_ranges_to_nat,
            "subnetwork": [Block(name=s, source_ip_ranges_to_nat=ALL_IP_RANGES) for s in self.subnetworks or []],
        })


@DISCOVERY.register("routers")
def list_routers(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every router of the project in the cluster's region; ownership is read from each one's description."""
    return api.list("Routers", {"region": api.region})


@DISCOVERY.register_deletions("routers")
def delete_routers(snapshot: Snapshot, cluster_name: str) -> list[Router]:
    """A router goes before the network and the subnetworks its NATs serve."""
    found = []
    for r in owned_in(snapshot, "routers", cluster_name):
        served = [s["name"] for nat in r.get("nats") or [] for s in nat.get("subnetworks") or []]
        found.append(Router(name=r["name"], self_link=r["self_link"], region=last(r.get("region")),
                            network=Network(name=last(r.get("network")), self_link=r.get("network")),
                            subnetworks=[Subnetwork(name=last(link), self_link=link) for link in served]))
    return found
