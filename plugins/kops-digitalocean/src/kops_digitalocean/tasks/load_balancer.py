"""LoadBalancer: the API's load balancer, as upstream makes it: ``api-<safe cluster name>`` in the cluster's
region and VPC, in front of the Droplets tagged ``KubernetesCluster-Master:<safe>``, passing TLS through on 443
(the API) and 3988 (kops-controller) and forwarding HTTP on 80, checking TCP 443. A load balancer carries no tags:
its name and its Droplet tag are what make it the cluster's."""

from __future__ import annotations

import time
from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY
from kops_digitalocean.tags import load_balancer_name, role_tag
from kops_digitalocean.tasks import DOTask
from kops_digitalocean.tasks.vpc import VPC

#: How long a new load balancer may take to get its address (seconds), as upstream waits for it.
ADDRESS_WAIT = 600
#: The fields of a forwarding rule and of the health check that kops sets (the API adds others).
RULE_FIELDS = ("entry_protocol", "entry_port", "target_protocol", "target_port", "tls_passthrough")
CHECK_FIELDS = ("protocol", "port", "check_interval_seconds", "response_timeout_seconds", "unhealthy_threshold",
                "healthy_threshold")


def _rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: r.get(k) for k in RULE_FIELDS} for r in rules), key=lambda r: (r["entry_port"],
                                                                                       r["entry_protocol"]))


class LoadBalancer(DOTask):
    region: str | None = None
    #: The tag of the Droplets it balances.
    droplet_tag: str | None = None
    vpc: VPC | str | None = None
    forwarding_rules: list[dict[str, Any]] | None = None
    health_check: dict[str, Any] | None = None
    id: str | None = None
    #: Its public address, which the API gives once it is active.
    ip: str | None = None

    api_kind = "load_balancers"
    immutable_fields = {"region", "vpc"}
    immutable_advice = "a load balancer stays in its region and VPC: delete it and update again"
    output_fields = {"id", "ip"}

    def find(self, ctx: Context) -> LoadBalancer | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return LoadBalancer(name=self.name, lifecycle=self.lifecycle, region=raw["region"]["slug"],
                            droplet_tag=raw.get("tag"), vpc=raw.get("vpc_uuid") or None,
                            forwarding_rules=_rules(raw.get("forwarding_rules") or []),
                            health_check={k: (raw.get("health_check") or {}).get(k) for k in CHECK_FIELDS},
                            id=raw["id"], ip=raw.get("ip") or None)

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "forwarding_rules":
            return _rules(desired) == (actual or [])
        return super().field_equal(field, desired, actual)

    def _body(self) -> dict[str, Any]:
        body = {"name": self.name, "region": self.region, "tag": self.droplet_tag,
                "forwarding_rules": self.forwarding_rules, "health_check": self.health_check}
        vpc = self.vpc.id if isinstance(self.vpc, VPC) else self.vpc
        return {**body, "vpc_uuid": vpc} if vpc else body

    def render_direct(self, ctx: Context, actual: LoadBalancer | None, changes: Changes) -> None:
        if actual is None:
            made = ctx.cloud.post("load_balancers", self._body())["load_balancer"]
            self.id = made["id"]
            self.ip = made.get("ip") or self._wait_for_address(ctx)
        else:
            ctx.cloud.put(f"load_balancers/{self.id}", self._body())


    def _wait_for_address(self, ctx: Context) -> str | None:
        """The new load balancer's address, once the API gives it (the API server's certificate names it)."""
        deadline, pause = time.monotonic() + ADDRESS_WAIT, 0.5
        while time.monotonic() < deadline:
            ip = ctx.cloud.get(f"load_balancers/{self.id}")["load_balancer"].get("ip")
            if ip:
                return str(ip)
            time.sleep(pause)
            pause = min(pause * 2, 15)
        ctx.log.warning("load balancer %s has no address after %ds", self.name, ADDRESS_WAIT)
        return None


@DISCOVERY.register("load_balancers")
def list_load_balancers(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return [lb for lb in api.get("load_balancers")["load_balancers"]
            if lb["name"] == load_balancer_name(cluster_name) and lb.get("tag") == role_tag(cluster_name, "ControlPlane")]


@DISCOVERY.register_deletions("load_balancers")
def delete_load_balancers(snapshot: Snapshot, cluster_name: str) -> list[LoadBalancer]:
    """Each one before the cluster's own VPC, when it is in it."""
    own_vpcs = {v["id"] for v in snapshot.get("vpcs")}
    return [LoadBalancer(name=lb["name"], id=lb["id"], region=lb["region"]["slug"],
                         vpc=VPC(name=lb["vpc_uuid"], id=lb["vpc_uuid"]) if lb.get("vpc_uuid") in own_vpcs else None)
            for lb in snapshot.get("load_balancers")]
