"""Subnetwork: one ``spec.subnets`` entry, a regional range of the cluster's network its machines take addresses
from; with IP aliases (``networking: gce``, kindnet) it also holds the pods' and services' secondary ranges.

GCE fixes a subnetwork's network and region; its primary range can only grow (``expandIpCidrRange``), never
shrink or move, so any other change of ``cidr`` is refused before anything is done. Secondary ranges are
added and removed by patches (GCE takes additions and removals in separate calls), as is the stack type.

A subnet given by ``id`` is the user's: only looked up and checked (its secondary ranges only those kops
needs), never changed nor deleted, and Terraform names it by that ID.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.engine.hcl import Block
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.api import OPERATION_TIMEOUT, as_dict, not_found
from kops_gce.clients import compute_endpoint, rest_session
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly, last
from kops_gce.tasks.network import Network


def grows(old: str | None, new: str) -> bool:
    """Whether ``new`` holds ``old`` (and more): the only change GCE allows a primary range."""
    try:
        return old is not None and ipaddress.ip_network(old).subnet_of(ipaddress.ip_network(new))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


class Subnetwork(GCETask):
    network: Network | None = None
    region: str | None = None
    #: The primary range (``ipCidrRange``).
    cidr: str | None = None
    #: Secondary range name -> CIDR.
    secondary_ranges: dict[str, str] | None = None
    #: ``IPV4_ONLY`` or ``IPV4_IPV6``.
    stack_type: str | None = None
    #: ``EXTERNAL`` for a dual-stack subnetwork.
    ipv6_access_type: str | None = None
    #: The project holding a shared subnetwork, when it is not the cluster's (a Shared VPC host project).
    project: str | None = None
    #: Who owns it (:func:`kops_gce.labels.owner_description`); written at creation, never compared.
    description: str | None = None
    self_link: str | None = None

    api_kind = "subnetworks"
    scope = "region"
    terraform_type = "google_compute_subnetwork"
    terraform_id_attr = "name"
    immutable_fields = {"network", "region"}
    immutable_advice = ("GCE cannot move a subnetwork to another network or region: delete it (and the machines "
                        "in it), or restore the spec")
    ignored_fields = {"project", "description"}

    def find(self, ctx: Context) -> Subnetwork | None:
        raw = self._raw(ctx)
        if raw is None:
            return None
        ranges = {r["range_name"]: r["ip_cidr_range"] for r in raw.get("secondary_ip_ranges") or []}
        if self.lifecycle.shared:  # only the ranges kops needs count in a subnetwork it does not own
            ranges = {k: v for k, v in ranges.items() if k in (self.secondary_ranges or {})}
        return Subnetwork(name=self.name, lifecycle=self.lifecycle, network=raw.get("network"),
                          region=last(raw.get("region")), cidr=raw.get("ip_cidr_range"), secondary_ranges=ranges,
                          stack_type=raw.get("stack_type") or None, ipv6_access_type=raw.get("ipv6_access_type") or None,
                          project=self.project, description=raw.get("description"), self_link=raw["self_link"])

    def _raw(self, ctx: Context) -> dict[str, Any] | None:
        if not self.project or self.project == ctx.cloud.project:
            return self.listed(ctx)
        try:  # another project's subnetwork is not in the run's listing
            return as_dict(ctx.cloud.compute("Subnetworks").get(
                project=self.project, region=self.region or ctx.cloud.region, subnetwork=self.name))
        except Exception as exc:  # noqa: BLE001 - only Google's 404 means "not there"
            if not_found(exc):
                return None
            raise

    def diff(self, actual: Subnetwork) -> dict[str, tuple[Any, Any]]:
        changes = super().diff(actual)
        if "cidr" in changes and not self.lifecycle.shared and not grows(*changes["cidr"]):
            old, new = changes["cidr"]
            raise KopsError(f"ipCidrRange: {new} does not hold {old}, and a subnetwork's range can only grow; "
                            "restore the subnet's cidr, or give it a larger range holding the current one")
        return changes

    def render_direct(self, ctx: Context, actual: Subnetwork | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        subnets = ctx.cloud.compute("Subnetworks")
        where = self.where(ctx)
        if actual is None:
            insert_quietly(ctx, lambda: subnets.insert(**where, subnetwork_resource=compute_v1.Subnetwork(
                name=self.name, network=self.network.self_link if self.network else None,
                ip_cidr_range=self.cidr, secondary_ip_ranges=_ranges(self.secondary_ranges or {}),
                stack_type=self.stack_type, ipv6_access_type=self.ipv6_access_type,
                description=self.description or "")))
            self.self_link = subnets.get(**where, subnetwork=self.name).self_link
            return
        if "cidr" in changes and self._fetch(ctx).ip_cidr_range != self.cidr:  # a try cut short may have done it
            ctx.cloud.wait(subnets.expand_ip_cidr_range(
                **where, subnetwork=self.name,
                subnetworks_expand_ip_cidr_range_request_resource=compute_v1.SubnetworksExpandIpCidrRangeRequest(
                    ip_cidr_range=self.cidr)))
        if "secondary_ranges" in changes:
            wanted = self.secondary_ranges or {}
            current = self._fetch(ctx)
            kept = {r.range_name: r.ip_cidr_range for r in current.secondary_ip_ranges
                    if wanted.get(r.range_name) == r.ip_cidr_range}
            if len(kept) != len(current.secondary_ip_ranges):  # removals first: a changed range goes, then returns
                if kept:
                    self._patch(ctx, current, secondary_ip_ranges=_ranges(kept))
                else:
                    self._clear_secondary_ranges(ctx, current.fingerprint)
                current = self._fetch(ctx)
            if kept != wanted:
                self._patch(ctx, current, secondary_ip_ranges=_ranges(wanted))
        if "stack_type" in changes or "ipv6_access_type" in changes:
            self._patch(ctx, self._fetch(ctx), stack_type=self.stack_type, ipv6_access_type=self.ipv6_access_type)

    def _fetch(self, ctx: Context) -> Any:
        return ctx.cloud.compute("Subnetworks").get(**self.where(ctx), subnetwork=self.name)

    def _patch(self, ctx: Context, current: Any, **fields: Any) -> None:
        """A patch carrying the fingerprint just read, as GCE requires."""
        from google.cloud import compute_v1

        body = compute_v1.Subnetwork(fingerprint=current.fingerprint, **fields)
        ctx.cloud.wait(ctx.cloud.compute("Subnetworks").patch(**self.where(ctx), subnetwork=self.name,
                                                              subnetwork_resource=body))

    def _clear_secondary_ranges(self, ctx: Context, fingerprint: str) -> None:
        """Remove every secondary range: the patch must say ``secondaryIpRanges: []``, which the client library
        leaves out of its requests (an empty list is its default), so this one request is made directly."""
        where = self.where(ctx)
        url = (f"{compute_endpoint() or 'https://compute.googleapis.com'}/compute/v1/projects/{where['project']}"
               f"/regions/{where['region']}/subnetworks/{self.name}")
        answer = rest_session().patch(url, json={"fingerprint": fingerprint, "secondaryIpRanges": []}, timeout=60)
        if answer.status_code >= 400:
            raise KopsError(f"subnetwork {self.name}: removing its secondary ranges failed: HTTP {answer.status_code} "
                            f"{answer.text[:200]}")
        operations = ctx.cloud.compute("RegionOperations")
        operation = answer.json()
        deadline = time.monotonic() + OPERATION_TIMEOUT
        while operation.get("status") != "DONE":
            if time.monotonic() > deadline:
                raise KopsError(f"subnetwork {self.name}: removing its secondary ranges did not finish in "
                                f"{OPERATION_TIMEOUT} s")
            operation = as_dict(operations.wait(project=where["project"], region=where["region"],
                                                operation=operation["name"]))
        errors = (operation.get("error") or {}).get("errors") or []
        if errors:
            raise KopsError(f"subnetwork {self.name}: removing its secondary ranges failed: "
                            f"{errors[0].get('message', errors[0])}")

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("Subnetworks").delete(**self.where(ctx), subnetwork=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource(self.terraform_type, self.name, {
            "ip_cidr_range": self.cidr,
            "ipv6_access_type": self.ipv6_access_type,
            "name": self.name,
            "network": self.network,
            "region": self.region,
            "secondary_ip_range": [Block(range_name=k, ip_cidr_range=v)
                                   for k, v in sorted((self.secondary_ranges or {}).items())],
            "stack_type": self.stack_type,
        })

    def terraform_ref(self, attr: str | None = None) -> Any:
        """A shared subnetwork is named by its ID (``project/name`` when its network is in another project), as
        upstream names it; one kops makes by its resource's ``name``."""
        if self.lifecycle.shared and (attr or self.terraform_id_attr) == "name":
            project = self.project or (self.network.project if isinstance(self.network, Network) else None)
            return f"{project}/{self.name}" if project else self.name
        return super().terraform_ref(attr)


def _ranges(ranges: dict[str, str]) -> list[Any]:
    from google.cloud import compute_v1

    return [compute_v1.SubnetworkSecondaryRange(range_name=k, ip_cidr_range=v) for k, v in sorted(ranges.items())]


@DISCOVERY.register("subnetworks")
def list_subnetworks(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every subnetwork of the project in the cluster's region; ownership is read from each one's description."""
    return api.list("Subnetworks", {"region": api.region})


@DISCOVERY.register_deletions("subnetworks")
def delete_subnetworks(snapshot: Snapshot, cluster_name: str) -> list[Subnetwork]:
    return [Subnetwork(name=r["name"], self_link=r["self_link"], region=last(r.get("region")),
                       network=Network(name=last(r.get("network")), self_link=r.get("network")))
            for r in owned_in(snapshot, "subnetworks", cluster_name)]
