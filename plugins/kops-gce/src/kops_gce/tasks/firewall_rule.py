"""FirewallRule: traffic let into the machines carrying some network tags (a role's), from machines carrying
others or from CIDRs. A GCE firewall rule is stateful and holds one address family, so rules from CIDRs come in
IPv4 and IPv6 twins (see :mod:`kops_gce.model.firewall`).

Everything but the network can change in place: a changed rule is written whole (``update``), so a field the
spec no longer sets is cleared too. A rule with no source at all would let everything in, so a rule meant to
let nothing in is kept ``disabled`` instead.

``allowed`` holds upstream's spelling: ``tcp``, ``tcp:443``, ``udp:30000-32767``, an IP protocol name or number.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.engine.hcl import Block
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.labels import owned
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly, last
from kops_gce.tasks.network import Network

#: The fields compared as sets: GCE keeps them in the order given, but the order means nothing.
UNORDERED = ("source_tags", "source_ranges", "target_tags", "allowed")


def parse_allowed(rule: str) -> tuple[str, list[str]]:
    """``tcp:443`` -> ("tcp", ["443"]); ``esp`` -> ("esp", [])."""
    protocol, _, ports = rule.partition(":")
    return protocol, [ports] if ports else []


def serialize_allowed(allowed: dict[str, Any]) -> list[str]:
    """A listed rule's ``allowed`` entry in upstream's spelling, one string per port range."""
    protocol = allowed.get("I_p_protocol") or allowed.get("ip_protocol") or ""
    ports = allowed.get("ports") or []
    return [f"{protocol}:{p}" for p in ports] if ports else [protocol]


class FirewallRule(GCETask):
    network: Network | None = None
    source_tags: list[str] | None = None
    source_ranges: list[str] | None = None
    target_tags: list[str] | None = None
    allowed: list[str] | None = None
    disabled: bool | None = None
    #: Who owns it (:func:`kops_gce.labels.owner_description`); written at creation, kept as found afterwards.
    description: str | None = None
    self_link: str | None = None

    api_kind = "firewalls"
    terraform_type = "google_compute_firewall"
    terraform_id_attr = "name"
    immutable_fields = {"network"}
    immutable_advice = "a firewall rule cannot move to another network: delete it, and run the update again"
    ignored_fields = {"description"}

    def find(self, ctx: Context) -> FirewallRule | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return FirewallRule(name=self.name, lifecycle=self.lifecycle, network=raw.get("network"),
                            source_tags=list(raw.get("source_tags") or []),
                            source_ranges=list(raw.get("source_ranges") or []),
                            target_tags=list(raw.get("target_tags") or []),
                            allowed=[s for a in raw.get("allowed") or [] for s in serialize_allowed(a)],
                            disabled=bool(raw.get("disabled")), description=raw.get("description"),
                            self_link=raw["self_link"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field in UNORDERED and isinstance(actual, list):
            return sorted(desired) == sorted(actual)
        return super().field_equal(field, desired, actual)

    def _body(self, description: str | None) -> Any:
        from google.cloud import compute_v1

        allowed = [compute_v1.Allowed(I_p_protocol=protocol, ports=ports)
                   for protocol, ports in map(parse_allowed, self.allowed or [])]
        return compute_v1.Firewall(
            name=self.name, network=self.network.self_link if self.network else None, direction="INGRESS",
            source_tags=self.source_tags or [], source_ranges=self.source_ranges or [],
            target_tags=self.target_tags or [], allowed=allowed, disabled=bool(self.disabled),
            description=description or "")

    def render_direct(self, ctx: Context, actual: FirewallRule | None, changes: Changes) -> None:
        firewalls = ctx.cloud.compute("Firewalls")
        project = ctx.cloud.project
        if actual is None:
            insert_quietly(ctx, lambda: firewalls.insert(project=project, firewall_resource=self._body(self.description)))
            self.self_link = firewalls.get(project=project, firewall=self.name).self_link
            return
        # Written whole, so what the spec dropped goes too; its owner stays whoever it was.
        ctx.cloud.wait(firewalls.update(project=project, firewall=self.name,
                                        firewall_resource=self._body(actual.description)))

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("Firewalls").delete(project=ctx.cloud.project,
                                                                           firewall=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        allow = []
        for protocol, ports in map(parse_allowed, self.allowed or []):
            allow.append(Block(protocol=protocol, ports=ports or None))
        tf.add_resource(self.terraform_type, self.name, {
            "allow": allow,
            "disabled": bool(self.disabled),
            "name": self.name,
            "network": self.network,
            "source_ranges": self.source_ranges,
            "source_tags": self.source_tags,
            "target_tags": self.target_tags,
        })


@DISCOVERY.register("firewalls")
def list_firewalls(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every firewall rule of the project; ownership is read from each one's description."""
    return api.list("Firewalls")


@DISCOVERY.register_deletions("firewalls")
def delete_firewalls(snapshot: Snapshot, cluster_name: str) -> list[FirewallRule]:
    """The cluster's rules, and every other rule of a network the cluster owns (Kubernetes' own, for load balancer
    services): GCE deletes no network that still has rules. A rule goes before its network."""
    networks = {r["self_link"] for r in owned_in(snapshot, "networks", cluster_name)}
    return [FirewallRule(name=r["name"], self_link=r["self_link"],
                         network=Network(name=last(r.get("network")), self_link=r.get("network")))
            for r in snapshot.get("firewalls") if owned(r, cluster_name) or r.get("network") in networks]
