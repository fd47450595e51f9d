"""DomainRecord: an address record dns-controller published for the cluster in a domain DigitalOcean hosts
(``api.<cluster>``, ``api.internal.<cluster>``, ``kops-controller.internal.<cluster>``). kops makes none itself;
``kops delete cluster`` deletes these, as upstream deletes the cluster's address records. Records carry no tags,
so only these well-known names count as the cluster's: other records under the cluster's name are left alone."""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY
from kops_digitalocean.tasks import DOTask

#: The names dns-controller publishes for a cluster, before the cluster's name.
PUBLISHED = ("api", "api.internal", "kops-controller.internal")
ADDRESS_TYPES = ("A", "AAAA")


class DomainRecord(DOTask):
    domain: str | None = None
    id: int | None = None

    api_kind = "domain records"

    def find(self, ctx: Context) -> DomainRecord | None:
        raw = ctx.snapshot.first(self.api_kind, lambda r: r["id"] == self.id)
        return None if raw is None else DomainRecord(name=self.name, domain=raw["domain"], id=raw["id"])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete(f"domains/{self.domain}/records/{self.id}")


@DISCOVERY.register("domain records")
def list_records(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The published records of the cluster in the hosted domain its name ends in (the longest such domain)."""
    domains = [d["name"] for d in api.get("domains")["domains"] if cluster_name.endswith("." + d["name"])]
    if not domains:
        return []
    domain = max(domains, key=len)
    wanted = {f"{prefix}.{cluster_name}" for prefix in PUBLISHED}
    return [{**r, "domain": domain, "fqdn": f"{r['name']}.{domain}"}
            for r in api.get(f"domains/{domain}/records")["domain_records"]
            if r["type"] in ADDRESS_TYPES and f"{r['name']}.{domain}" in wanted]


@DISCOVERY.register_deletions("domain records")
def delete_records(snapshot: Snapshot, cluster_name: str) -> list[DomainRecord]:
    return [DomainRecord(name=f"{r['fqdn']}-{r['id']}", domain=r["domain"], id=r["id"])
            for r in snapshot.get("domain records")]
