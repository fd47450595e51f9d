"""A Route53 alias record (``api.<cluster>``, A or AAAA) pointing at a load balancer.

The hosted zone is the user's: named by ``spec.dnsZone`` (an ID such as ``Z1AFAKE1ZON3YO`` or a domain),
or else the closest zone whose domain the cluster name ends with. It is found at apply time; in
Terraform it is the ``/hostedzone/ID`` when the spec gives an ID and an ``aws_route53_zone`` data source
otherwise, since writing Terraform calls no API.

The alias target is any task with ``dns_name`` and ``hosted_zone_id`` fields (the API load balancer),
whose Terraform resource has ``dns_name`` and ``zone_id`` attributes.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Expr, Snapshot, Task
from kops.engine.hcl import resource_name
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_aws.awsapi import NotYetVisible, error_code
from kops_aws.discovery import paginate, register, register_deletions

#: Record types kOps and dns-controller write for a cluster, and deletion removes.
CLUSTER_RECORD_TYPES = ("A", "AAAA", "CNAME")


def fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def zone_id_of(zone: dict[str, Any]) -> str:
    """``Z1AFAKE1ZON3YO`` from a zone whose ``Id`` is ``/hostedzone/Z1AFAKE1ZON3YO``."""
    return zone["Id"].rsplit("/", 1)[-1]


def is_zone_id(dns_zone: str) -> bool:
    """Whether ``spec.dnsZone`` is a hosted zone ID (IDs have no dots) rather than a domain."""
    return "." not in dns_zone


def zones_for(zones: tuple[dict[str, Any], ...], cluster_name: str, dns_zone: str | None,
              private: bool | None) -> list[dict[str, Any]]:
    """The hosted zones that may hold the cluster's records, best first."""
    if dns_zone and is_zone_id(dns_zone):
        return [z for z in zones if zone_id_of(z) == dns_zone.rsplit("/", 1)[-1]]
    candidates = [z for z in zones
                  if private is None or bool(z.get("Config", {}).get("PrivateZone")) == private]
    if dns_zone:
        return [z for z in candidates if z["Name"].lower() == fqdn(dns_zone)]
    name = fqdn(cluster_name)
    suffixes = [z for z in candidates if name == z["Name"].lower() or name.endswith("." + z["Name"].lower())]
    return sorted(suffixes, key=lambda z: -len(z["Name"]))


class DNSRecord(Task):
    #: ``spec.dnsZone``: a hosted zone ID or domain; None to use the closest zone of the cluster's domain.
    dns_zone: str | None = None
    #: Whether the zone is private (``topology.dns.type: Private``).
    private_zone: bool | None = None
    record_name: str | None = None
    record_type: str | None = None
    #: The load balancer the record is an alias of (see the module docstring).
    target: Task | None = None
    #: The alias target's DNS name as Route53 reports it.
    alias_dns_name: str | None = None
    #: The hosted zone's ID, once found.
    zone_id: str | None = None

    id_field = ""  # a zone holds many records: its ID does not identify one
    immutable_fields = {"record_name", "record_type"}
    ignored_fields = {"dns_zone", "private_zone", "target"}
    output_fields = {"zone_id"}
    terraform_type = "aws_route53_record"

    def _zone(self, ctx: Context) -> dict[str, Any]:
        zones = zones_for(ctx.snapshot.get("hosted_zone"), ctx.cluster_name, self.dns_zone, self.private_zone)
        if not zones:
            raise KopsError(f"no Route53 hosted zone found for {self.dns_zone or ctx.cluster_name}: create it, or "
                            f"set spec.dnsZone to its ID")
        return zones[0]

    def find(self, ctx: Context) -> DNSRecord | None:
        zone_id = self.zone_id or zone_id_of(self._zone(ctx))
        self.zone_id = zone_id
        if self.target is not None:
            self.alias_dns_name = _normalized(getattr(self.target, "dns_name", None))
        for rrset in ctx.snapshot.get("dns_record"):
            if (rrset["ZoneId"] == zone_id and rrset["Name"].lower() == fqdn(self.record_name or "")
                    and rrset["Type"] == self.record_type):
                alias = rrset.get("AliasTarget") or {}
                return DNSRecord(name=self.name, lifecycle=self.lifecycle, record_name=self.record_name,
                                 record_type=self.record_type, alias_dns_name=_normalized(alias.get("DNSName")),
                                 zone_id=zone_id)
        return None

    def render_direct(self, ctx: Context, actual: DNSRecord | None, changes: Changes) -> None:
        target = self.target
        if target is None or not getattr(target, "dns_name", None) or not getattr(target, "hosted_zone_id", None):
            raise NotYetVisible(f"the load balancer behind {self.record_name} has no DNS name yet")
        self.zone_id = self.zone_id or zone_id_of(self._zone(ctx))
        self.alias_dns_name = _normalized(target.dns_name)
        ctx.cloud.route53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": [{
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": fqdn(self.record_name or ""), "Type": self.record_type,
                "AliasTarget": {"HostedZoneId": target.hosted_zone_id, "DNSName": target.dns_name,
                                "EvaluateTargetHealth": False},
            },
        }]})

    def delete_direct(self, ctx: Context) -> None:
        found = [r for r in ctx.snapshot.get("dns_record")
                 if r["ZoneId"] == self.zone_id and r["Name"].lower() == fqdn(self.record_name or "")
                 and r["Type"] == self.record_type]
        for rrset in found:
            record = {k: v for k, v in rrset.items() if k != "ZoneId"}
            try:
                ctx.cloud.route53.change_resource_record_sets(
                    HostedZoneId=self.zone_id, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]})
            except Exception as exc:
                if error_code(exc) != "InvalidChangeBatch":
                    raise  # InvalidChangeBatch: the record is already gone (a retry)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        assert self.target is not None
        tf.add_resource("aws_route53_record", self.name, {
            "name": self.record_name,
            "type": self.record_type,
            "zone_id": terraform_zone_id(tf, ctx.cluster_name, self.dns_zone, self.private_zone),
            "alias": Block(name=self.target.terraform_ref("dns_name"), zone_id=self.target.terraform_ref("zone_id"),
                           evaluate_target_health=False),
        })


def terraform_zone_id(tf: TerraformWriter, cluster_name: str, dns_zone: str | None, private: bool | None) -> Any:
    """The hosted zone's ID in Terraform: ``/hostedzone/ID`` for an ID, else a data source's ``zone_id``."""
    if dns_zone and is_zone_id(dns_zone):
        return dns_zone if dns_zone.startswith("/hostedzone/") else f"/hostedzone/{dns_zone}"
    domain = dns_zone or cluster_name.split(".", 1)[-1]
    tf.add_data_source("aws_route53_zone", domain, {"name": domain, "private_zone": bool(private)})
    return Expr(f"data.aws_route53_zone.{resource_name(domain)}.zone_id")


def _normalized(dns_name: str | None) -> str | None:
    """An alias target's DNS name as compared: lower case, no trailing dot, no ``dualstack.`` prefix."""
    if not dns_name:
        return None
    name = dns_name.rstrip(".").lower()
    return name.removeprefix("dualstack.")


@register("hosted_zone")
def list_hosted_zones(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return paginate(api.route53, "list_hosted_zones", "HostedZones")


@register("dns_record")
def list_dns_records(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The cluster's records (its own name and names under it) in every zone of the cluster's domain."""
    name = fqdn(cluster_name)
    records = []
    for zone in zones_for(tuple(list_hosted_zones(api, cluster_name)), cluster_name, None, None):
        for rrset in paginate(api.route53, "list_resource_record_sets", "ResourceRecordSets",
                              HostedZoneId=zone["Id"]):
            rname = rrset["Name"].lower()
            if rrset["Type"] in CLUSTER_RECORD_TYPES and (rname == name or rname.endswith("." + name)):
                records.append({**rrset, "ZoneId": zone_id_of(zone)})
    return records


@register_deletions("dns_record")
def delete_dns_records(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """Every record of the cluster (kOps's and dns-controller's); the hosted zone itself is the user's."""
    return [DNSRecord(name=f"{r['Name'].rstrip('.')}-{r['Type']} ({r['ZoneId']})", record_name=r["Name"].rstrip("."),
                      record_type=r["Type"], zone_id=r["ZoneId"])
            for r in snapshot.get("dns_record")]
