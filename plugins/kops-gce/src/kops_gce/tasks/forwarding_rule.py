"""ForwardingRule: where the API load balancer takes connections, on its reserved address.

An external rule sends TCP on 443 to the control plane's target pool (the public load balancer). An internal rule,
one per subnetwork the API servers are in, sends the ports it lists to the internal backend service: the API's
443, and kops-controller's 3988 when nodes find kops-controller through the load balancer rather than DNS. Rules
take labels: the cluster's ownership labels, and ``name`` (``api``, ``api-us-central1``...), as upstream sets them.

Only the labels of a rule can change in place; any other difference replaces the rule. Its IP address is reserved
apart (an Address), so the replacement takes the same one.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.discovery import DISCOVERY, label_filter, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly, last
from kops_gce.tasks.address import Address
from kops_gce.tasks.backend_service import BackendService
from kops_gce.tasks.target_pool import TargetPool

#: Where a rule's connections go, by its scheme.
INTERNAL_SCHEMES = ("INTERNAL", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED")


class ForwardingRule(GCETask):
    #: The Address task whose IP the rule takes (or the IP itself).
    ip_address: Any = None
    ip_protocol: str | None = None
    #: ``EXTERNAL`` or ``INTERNAL``.
    load_balancing_scheme: str | None = None
    #: An external rule's ports (``443-443``).
    port_range: str | None = None
    #: An internal rule's ports (``["443"]``).
    ports: list[str] | None = None
    #: An external rule's TargetPool task.
    target: Any = None
    #: An internal rule's BackendService task.
    backend_service: Any = None
    #: An internal rule's network and subnetwork (tasks, or their URLs).
    network: Any = None
    subnetwork: Any = None
    labels: dict[str, str] | None = None
    self_link: str | None = None

    api_kind = "forwardingRules"
    scope = "region"
    immutable_fields = {"ip_address", "ip_protocol", "load_balancing_scheme", "port_range", "ports", "target",
                        "backend_service", "network", "subnetwork"}
    replace_on_immutable_change = True
    output_fields = {"self_link"}
    terraform_type = "google_compute_forwarding_rule"
    terraform_id_attr = "self_link"

    def find(self, ctx: Context) -> ForwardingRule | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return ForwardingRule(
            name=self.name, lifecycle=self.lifecycle, ip_address=address_of(ctx.snapshot, raw),
            ip_protocol=raw.get("I_p_protocol"), load_balancing_scheme=raw.get("load_balancing_scheme"),
            port_range=raw.get("port_range"), ports=list(raw.get("ports") or []) or None,
            target=raw.get("target"), backend_service=raw.get("backend_service"), network=raw.get("network"),
            subnetwork=raw.get("subnetwork"), labels=raw.get("labels") or {},
            self_link=raw["self_link"])

    def render_direct(self, ctx: Context, actual: ForwardingRule | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        client = ctx.cloud.compute("ForwardingRules")
        if actual is not None:
            if "labels" in changes:
                # The labels' current fingerprint, read now: an earlier try of this run may have changed them.
                current = client.get(**self.where(ctx), forwarding_rule=self.name)
                ctx.cloud.wait(client.set_labels(**self.where(ctx), resource=self.name,
                                                 region_set_labels_request_resource=compute_v1.RegionSetLabelsRequest(
                                                     labels=self.labels or {},
                                                     label_fingerprint=current.label_fingerprint)))
            return
        body = compute_v1.ForwardingRule(name=self.name, I_p_protocol=self.ip_protocol,
                                         load_balancing_scheme=self.load_balancing_scheme,
                                         labels=self.labels or {}, ports=self.ports or [])
        ip = self.ip_address.address if isinstance(self.ip_address, Address) else self.ip_address
        optional = {"I_p_address": ip, "port_range": self.port_range, "target": _link(self.target),
                    "backend_service": _link(self.backend_service), "network": _link(self.network),
                    "subnetwork": _link(self.subnetwork)}
        for field, value in optional.items():
            if value:
                setattr(body, field, value)
        insert_quietly(ctx, lambda: client.insert(**self.where(ctx), forwarding_rule_resource=body))
        made = client.get(**self.where(ctx), forwarding_rule=self.name)
        self.self_link = made.self_link

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("ForwardingRules").delete(**self.where(ctx),
                                                                                 forwarding_rule=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        def ref(value: Any, attr: str) -> Any:
            return value.terraform_ref(attr) if isinstance(value, Task) else value

        tf.add_resource("google_compute_forwarding_rule", self.name, {
            "name": self.name,
            "ip_address": ref(self.ip_address, "address"),
            "ip_protocol": self.ip_protocol,
            "load_balancing_scheme": self.load_balancing_scheme,
            "port_range": self.port_range,
            "ports": self.ports,
            "target": ref(self.target, "self_link"),
            "backend_service": ref(self.backend_service, "id"),
            "network": ref(self.network, "name"),
            "subnetwork": ref(self.subnetwork, "name"),
            "labels": self.labels,
        })


def _link(value: Any) -> str | None:
    return getattr(value, "self_link", value) or None


def address_of(snapshot: Snapshot, rule: dict[str, Any]) -> str | None:
    """The URL of the reserved address whose IP a listed rule has (in the rule's subnetwork for an internal one),
    or the bare IP when no address of the cluster's has it."""
    ip = rule.get("I_p_address")
    found = snapshot.first("addresses", lambda a: a.get("address") == ip and (
        rule.get("load_balancing_scheme") not in INTERNAL_SCHEMES or a.get("subnetwork") == rule.get("subnetwork")))
    return found["self_link"] if found else ip


@DISCOVERY.register("forwardingRules")
def list_forwarding_rules(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.list("ForwardingRules", {"region": api.region}, label_filter(cluster_name))


@DISCOVERY.register_deletions("forwardingRules")
def delete_forwarding_rules(snapshot: Snapshot, cluster_name: str) -> list[ForwardingRule]:
    """A rule goes before its address, target pool and backend service, which GCE keeps while a rule uses them."""
    rules = []
    for r in owned_in(snapshot, "forwardingRules", cluster_name):
        address = address_of(snapshot, r)
        rules.append(ForwardingRule(
            name=r["name"], self_link=r["self_link"], load_balancing_scheme=r.get("load_balancing_scheme"),
            ip_address=Address(name=last(address), self_link=address) if address and "/" in address else address,
            target=TargetPool(name=last(r["target"]), self_link=r["target"]) if r.get("target") else None,
            backend_service=BackendService(name=last(r["backend_service"]), self_link=r["backend_service"])
            if r.get("backend_service") else None))
    return rules


def api_address(api: Any, cluster_name: str) -> str | None:
    """The IP address clients reach the cluster's API at: that of a forwarding rule labelled for the cluster whose
    name starts with ``api-``, as upstream finds it; an external rule's before an internal one's. None when there
    is no such rule."""
    rules = sorted((r for r in list_forwarding_rules(api, cluster_name)
                    if r["name"].startswith("api-") and r.get("I_p_address")), key=lambda r: r["name"])
    external = [r for r in rules if r.get("load_balancing_scheme") not in INTERNAL_SCHEMES]
    chosen = external or rules
    return str(chosen[0]["I_p_address"]) if chosen else None
