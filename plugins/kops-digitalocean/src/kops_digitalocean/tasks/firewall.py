"""Firewall: a cloud firewall over the cluster's Droplets of one role (by their role tag), letting in what the
cluster's traffic matrix allows (:mod:`kops_digitalocean.model.firewall`) and letting everything out. Upstream
makes no firewall on DigitalOcean; a firewall carries no tags, so its name and its target tag are what make it the
cluster's.

Rules compare as sets: the API may list them in another order, lists each rule's sources and destinations with
only the keys set, and answers ``0`` for the ports kops writes as ``all``.
"""

from __future__ import annotations

import json
from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY
from kops_digitalocean.tags import firewall_name, role_tag
from kops_digitalocean.tasks import DOTask
from kops_digitalocean.tasks.load_balancer import LoadBalancer

ROLES = ("ControlPlane", "Node")


def _resolved(rules: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rules with their load balancer references as the API holds them (IDs) and empty source lists left out."""
    out = []
    for rule in rules:
        targets = {}
        for name, values in rule[key].items():
            values = [v.id if isinstance(v, LoadBalancer) else v for v in values or []]
            if values:
                targets[name] = sorted(values)
        ports = str(rule["ports"])
        out.append({"protocol": rule["protocol"], "ports": "0" if ports == "all" else ports, key: targets})
    return out


def _as_set(rules: list[dict[str, Any]] | None, key: str) -> set[str]:
    return {json.dumps(r, sort_keys=True) for r in _resolved(rules or [], key)}


class Firewall(DOTask):
    #: The tag of the Droplets it covers.
    target_tag: str | None = None
    #: ``[{"protocol", "ports", "sources": {"addresses"|"tags"|"load_balancer_uids": [...]}}]``; a
    #: ``load_balancer_uids`` entry may be the load balancer's task.
    inbound_rules: list[dict[str, Any]] | None = None
    outbound_rules: list[dict[str, Any]] | None = None
    id: str | None = None

    api_kind = "firewalls"
    output_fields = {"id"}

    def find(self, ctx: Context) -> Firewall | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return Firewall(name=self.name, lifecycle=self.lifecycle, target_tag=(raw.get("tags") or [None])[0],
                        inbound_rules=raw.get("inbound_rules") or [], outbound_rules=raw.get("outbound_rules") or [],
                        id=raw["id"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field in ("inbound_rules", "outbound_rules"):
            key = "sources" if field == "inbound_rules" else "destinations"
            return _as_set(desired, key) == _as_set(actual, key)
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: Firewall | None, changes: Changes) -> None:
        body = {"name": self.name, "tags": [self.target_tag],
                "inbound_rules": _resolved(self.inbound_rules or [], "sources"),
                "outbound_rules": _resolved(self.outbound_rules or [], "destinations")}
        if actual is None:
            self.id = ctx.cloud.post("firewalls", body)["firewall"]["id"]
        else:
            ctx.cloud.put(f"firewalls/{self.id}", body)


@DISCOVERY.register("firewalls")
def list_firewalls(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    mine = {firewall_name(role, cluster_name): role_tag(cluster_name, role) for role in ROLES}
    return [f for f in api.get("firewalls")["firewalls"] if f["name"] in mine and f.get("tags") == [mine[f["name"]]]]


@DISCOVERY.register_deletions("firewalls")
def delete_firewalls(snapshot: Snapshot, cluster_name: str) -> list[Firewall]:
    return [Firewall(name=f["name"], id=f["id"]) for f in snapshot.get("firewalls")]
