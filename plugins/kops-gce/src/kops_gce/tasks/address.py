"""Address: a regional IP address reserved for the API's load balancer.

The forwarding rules in front of the control plane take their IP from it, so the API keeps its address when
a rule is replaced, and kubeconfigs and certificates naming it stay valid. A public load balancer's address is
external; an internal one's is ``INTERNAL`` in a subnetwork, with the purpose ``SHARED_LOADBALANCER_VIP`` so the
API's and kops-controller's forwarding rules can share it. Addresses take labels: the cluster's ownership labels
say whose it is.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.discovery import DISCOVERY, label_filter, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly


class Address(GCETask):
    #: ``EXTERNAL`` or ``INTERNAL``.
    address_type: str | None = None
    #: ``SHARED_LOADBALANCER_VIP`` for an internal load balancer's address; None for an external one.
    purpose: str | None = None
    #: The subnetwork an internal address is taken from (a Subnetwork task, or its URL).
    subnetwork: Any = None
    labels: dict[str, str] | None = None
    #: The IP address GCE chose.
    address: str | None = None
    self_link: str | None = None

    api_kind = "addresses"
    scope = "region"
    immutable_fields = {"address_type", "purpose", "subnetwork"}
    immutable_advice = ("an address's type, purpose and subnetwork cannot change: delete the API's forwarding "
                        "rules and this address, and run the update again (the API's IP address will change)")
    output_fields = {"address", "self_link"}
    terraform_type = "google_compute_address"
    terraform_id_attr = "self_link"

    def find(self, ctx: Context) -> Address | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Address(name=self.name, lifecycle=self.lifecycle, address_type=raw.get("address_type", "EXTERNAL"),
                       purpose=raw.get("purpose"), subnetwork=raw.get("subnetwork"), labels=raw.get("labels") or {},
                       address=raw.get("address"),
                       self_link=raw["self_link"])

    def render_direct(self, ctx: Context, actual: Address | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        client = ctx.cloud.compute("Addresses")
        if actual is not None:
            if "labels" in changes:
                # The labels' current fingerprint, read now: an earlier try of this run may have changed them.
                current = client.get(**self.where(ctx), address=self.name)
                ctx.cloud.wait(client.set_labels(**self.where(ctx), resource=self.name,
                                                 region_set_labels_request_resource=compute_v1.RegionSetLabelsRequest(
                                                     labels=self.labels or {},
                                                     label_fingerprint=current.label_fingerprint)))
            return
        body = compute_v1.Address(name=self.name, address_type=self.address_type or "EXTERNAL",
                                  labels=self.labels or {})
        if self.purpose:
            body.purpose = self.purpose
        if self.subnetwork is not None:
            body.subnetwork = getattr(self.subnetwork, "self_link", self.subnetwork)
        insert_quietly(ctx, lambda: client.insert(**self.where(ctx), address_resource=body))
        made = client.get(**self.where(ctx), address=self.name)
        self.address, self.self_link = made.address, made.self_link

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("Addresses").delete(**self.where(ctx), address=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner labels."""
        subnetwork = self.subnetwork.terraform_ref("name") if isinstance(self.subnetwork, Task) else self.subnetwork
        tf.add_resource("google_compute_address", self.name, {
            "name": self.name,
            "address_type": self.address_type if self.address_type != "EXTERNAL" else None,
            "purpose": self.purpose,
            "subnetwork": subnetwork,
        })

    def terraform_address(self) -> Any:
        """How a forwarding rule names this address's IP in Terraform."""
        return self.terraform_ref("address")


@DISCOVERY.register("addresses")
def list_addresses(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.list("Addresses", {"region": api.region}, label_filter(cluster_name))


@DISCOVERY.register_deletions("addresses")
def delete_addresses(snapshot: Snapshot, cluster_name: str) -> list[Address]:
    return [Address(name=r["name"], address=r.get("address"), address_type=r.get("address_type"),
                    self_link=r["self_link"]) for r in owned_in(snapshot, "addresses", cluster_name)]


def api_addresses(api: Any, names: set[str], cluster_name: str) -> list[str]:
    """The IP addresses of the cluster's reserved addresses called one of ``names``."""
    return sorted({str(a["address"]) for a in list_addresses(api, cluster_name)
                   if a.get("name") in names and a.get("address")})
