"""FirewallRule: traffic allowed into the machines of one role, from those of another role or from a CIDR.

A rule cannot change in place (only its labels can): a different rule is a new one, made after the old one is
deleted.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_example_cloud.discovery import DISCOVERY, labelled
from kops_example_cloud.labels import owned
from kops_example_cloud.tasks import ExampleTask
from kops_example_cloud.tasks.network import Network


class FirewallRule(ExampleTask):
    network: Network | None = None
    #: ``tcp``, ``udp`` or ``all``.
    protocol: str | None = None
    #: ``[from, to]`` for tcp and udp; None for all traffic.
    ports: list[int] | None = None
    #: Where the traffic comes from: the machines of a role, or a CIDR (exactly one of them).
    source_role: str | None = None
    source_cidr: str | None = None
    #: The role of the machines it reaches.
    target_role: str | None = None
    labels: dict[str, str] | None = None
    id: str | None = None

    api_kind = "firewallRules"
    immutable_fields = {"network", "protocol", "ports", "source_role", "source_cidr", "target_role"}
    replace_on_immutable_change = True
    output_fields = {"id"}

    def find(self, ctx: Context) -> FirewallRule | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return FirewallRule(name=self.name, lifecycle=self.lifecycle, network=raw["network"], protocol=raw["protocol"],
                            ports=raw.get("ports"), source_role=raw.get("sourceRole"),
                            source_cidr=raw.get("sourceCidr"), target_role=raw["targetRole"], labels=raw["labels"],
                            id=raw["id"])

    def render_direct(self, ctx: Context, actual: FirewallRule | None, changes: Changes) -> None:
        if actual is not None:
            ctx.cloud.update("firewallRules", self.id, {"labels": self.labels})
            return
        body = {"name": self.name, "network": self.network.id if self.network else None, "protocol": self.protocol,
                "targetRole": self.target_role, "labels": self.labels}
        optional = {"ports": self.ports, "sourceRole": self.source_role, "sourceCidr": self.source_cidr}
        self.id = ctx.cloud.create("firewallRules", {**body, **{k: v for k, v in optional.items() if v is not None}})["id"]


@DISCOVERY.register("firewallRules")
def list_firewall_rules(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return labelled(api, "firewallRules", cluster_name)


@DISCOVERY.register_deletions("firewallRules")
def delete_firewall_rules(snapshot: Snapshot, cluster_name: str) -> list[FirewallRule]:
    return [FirewallRule(name=r["name"], id=r["id"], network=Network(name=r["network"], id=r["network"]),
                         protocol=r["protocol"], target_role=r["targetRole"])
            for r in snapshot.get("firewallRules") if owned(r, cluster_name)]
