"""Network: the VPC network the cluster's machines, subnetworks, firewall rules and router live in.

kops makes it in custom mode: its subnetworks are the cluster's own (one per ``spec.subnets`` entry), never
GCE's automatic ones, and GCE cannot turn a custom network back into an auto one, so the mode is fixed.

A network named by ``spec.networkID`` (``name``, or ``project/name`` for a Shared VPC's host project) is the
user's: kops only looks it up (a missing one is an error), never changes nor deletes it, and Terraform names
it by that string instead of owning it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.api import as_dict, not_found
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly


def network_mode(raw: dict[str, Any]) -> str:
    """``legacy``, ``auto`` or ``custom``, as a listed network is."""
    if raw.get("I_pv4_range"):
        return "legacy"
    return "auto" if raw.get("auto_create_subnetworks") else "custom"


class Network(GCETask):
    #: ``custom`` for a network kops makes; None for a shared one (whatever its mode, it is not compared).
    mode: str | None = None
    #: The project holding the network, when it is not the cluster's (a Shared VPC host project).
    project: str | None = None
    #: Who owns it (:func:`kops_gce.labels.owner_description`); written at creation, never compared.
    description: str | None = None
    self_link: str | None = None

    api_kind = "networks"
    terraform_type = "google_compute_network"
    terraform_id_attr = "name"
    immutable_fields = {"mode"}
    immutable_advice = ("GCE cannot change a network's subnet mode: delete the network (and what is in it), or "
                        "name another one in spec.networkID")
    ignored_fields = {"project", "description"}

    def find(self, ctx: Context) -> Network | None:
        raw = self._raw(ctx)
        if raw is None:
            return None
        return Network(name=self.name, lifecycle=self.lifecycle, mode=network_mode(raw), project=self.project,
                       description=raw.get("description"), self_link=raw["self_link"])

    def _raw(self, ctx: Context) -> dict[str, Any] | None:
        if not self.project or self.project == ctx.cloud.project:
            return self.listed(ctx)
        try:  # another project's network is not in the run's listing
            return as_dict(ctx.cloud.compute("Networks").get(project=self.project, network=self.name))
        except Exception as exc:  # noqa: BLE001 - only Google's 404 means "not there"
            if not_found(exc):
                return None
            raise

    def render_direct(self, ctx: Context, actual: Network | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        if actual is not None:
            raise KopsError(f"network {self.name}: cannot change {', '.join(changes)}")
        if self.mode not in ("custom", "auto"):
            raise KopsError(f"network {self.name}: mode must be custom or auto, not {self.mode!r}")
        networks = ctx.cloud.compute("Networks")
        insert_quietly(ctx, lambda: networks.insert(project=ctx.cloud.project, network_resource=compute_v1.Network(
            name=self.name, auto_create_subnetworks=self.mode == "auto", description=self.description or "")))
        self.self_link = networks.get(project=ctx.cloud.project, network=self.name).self_link

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("Networks").delete(project=ctx.cloud.project,
                                                                          network=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource(self.terraform_type, self.name, {
            "auto_create_subnetworks": self.mode == "auto",
            "name": self.name,
            "project": self.project,
        })

    def terraform_ref(self, attr: str | None = None) -> Any:
        """A shared network is named by its ID (``project/name`` when in another project), as upstream names it;
        the network kops makes by its resource's ``name``."""
        if self.lifecycle.shared and (attr or self.terraform_id_attr) == "name":
            return f"{self.project}/{self.name}" if self.project else self.name
        return super().terraform_ref(attr)


@DISCOVERY.register("networks")
def list_networks(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every network of the project: networks take no labels, so ownership is read from each one's description."""
    return api.list("Networks")


@DISCOVERY.register_deletions("networks")
def delete_networks(snapshot: Snapshot, cluster_name: str) -> list[Network]:
    return [Network(name=r["name"], self_link=r["self_link"]) for r in owned_in(snapshot, "networks", cluster_name)]
