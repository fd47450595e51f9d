"""LoadBalancer: a Network Load Balancer in front of the API servers (or the bastions).

Its AWS name is short and hashed (``api-minimal-example-com-gecgf7``, 32 characters at most); the task's
name is upstream's ``Name`` tag (``api.minimal.example.com``). The scheme cannot change: a load balancer
that must become internal (or public) is replaced by deleting it first.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Snapshot, Task
from kops.engine.hcl import inline
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import register, register_deletions
from kops_aws.tags import aws_tags
from kops_aws.tasks.common import delete_quietly, matching_tags, owned, ref_id
from kops_aws.tasks.elbv2 import attributes, tagged

CROSS_ZONE = "load_balancing.cross_zone.enabled"
ACCESS_LOGS = ("access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix")


class LoadBalancer(Task):
    #: The name in AWS (32 characters at most).
    lb_name: str | None = None
    #: ``internet-facing`` or ``internal``.
    scheme: str | None = None
    lb_type: str | None = None
    #: ``ipv4``, or ``dualstack`` when every subnet it is in has IPv6.
    ip_address_type: str | None = None
    #: ``{"subnet": Subnet task, "allocation_id": EIP allocation or None, "private_ipv4": address or None}``.
    subnet_mappings: list[dict[str, Any]] | None = None
    #: SecurityGroup tasks, or IDs of groups the user made.
    security_groups: list[Any] | None = None
    cross_zone: bool | None = None
    #: ``{"enabled": bool, "bucket": name, "prefix": prefix}``.
    access_log: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    arn: str | None = None
    dns_name: str | None = None
    #: The Route 53 zone of ``dns_name``, for alias records.
    hosted_zone_id: str | None = None

    id_field = "arn"
    immutable_fields = {"lb_name", "scheme", "lb_type"}
    immutable_advice = ("a load balancer's scheme cannot change: delete it (the API is unreachable through it "
                        "until the next update creates the new one), or restore spec.api.loadBalancer.type")
    output_fields = {"arn", "dns_name", "hosted_zone_id"}
    terraform_type = "aws_lb"

    def find(self, ctx: Context) -> LoadBalancer | None:
        raw = ctx.snapshot.first("load_balancer", lambda b: b["LoadBalancerArn"] == self.arn if self.arn
                                 else b["LoadBalancerName"] == self.lb_name)
        if raw is None:
            return None
        attrs = raw.get("Attributes", {})
        mappings = []
        for zone in raw.get("AvailabilityZones") or []:
            address = (zone.get("LoadBalancerAddresses") or [{}])[0]
            mappings.append({"subnet": zone["SubnetId"], "allocation_id": address.get("AllocationId"),
                             "private_ipv4": address.get("PrivateIPv4Address")})
        return LoadBalancer(
            name=self.name, lifecycle=self.lifecycle, lb_name=raw["LoadBalancerName"], scheme=raw.get("Scheme"),
            lb_type=raw.get("Type"), ip_address_type=raw.get("IpAddressType"), subnet_mappings=mappings, security_groups=sorted(raw.get("SecurityGroups") or []),
            cross_zone=attrs.get(CROSS_ZONE) == "true",
            access_log={"enabled": attrs.get(ACCESS_LOGS[0]) == "true", "bucket": attrs.get(ACCESS_LOGS[1]) or None,
                        "prefix": attrs.get(ACCESS_LOGS[2]) or None},
            tags=matching_tags(raw, self.tags), arn=raw["LoadBalancerArn"], dns_name=raw.get("DNSName"),
            hosted_zone_id=raw.get("CanonicalHostedZoneId"))

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "security_groups":
            wanted = [ref_id(g) for g in desired]
            return None not in wanted and sorted(wanted) == sorted(actual or [])
        if field == "subnet_mappings":
            return _mapping_keys(desired, actual or []) == _mapping_keys(actual or [], actual or [])
        if field == "access_log":
            return _access_log(desired) == _access_log(actual)
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: LoadBalancer | None, changes: Changes) -> None:
        elb = ctx.cloud.elbv2
        if actual is None:
            created = elb.create_load_balancer(
                Name=self.lb_name, Type=self.lb_type, Scheme=self.scheme, SubnetMappings=self._api_mappings(),
                IpAddressType=self.ip_address_type or "ipv4",
                SecurityGroups=[ref_id(g) for g in self.security_groups or []], Tags=aws_tags(self.tags or {}),
            )["LoadBalancers"][0]
            self.arn, self.dns_name = created["LoadBalancerArn"], created.get("DNSName")
            self.hosted_zone_id = created.get("CanonicalHostedZoneId")
            changes = self.desired_fields()
        else:
            if "subnet_mappings" in changes:
                elb.set_subnets(LoadBalancerArn=self.arn, SubnetMappings=self._api_mappings())
            if "ip_address_type" in changes:
                elb.set_ip_address_type(LoadBalancerArn=self.arn, IpAddressType=self.ip_address_type)
            if "security_groups" in changes:
                elb.set_security_groups(LoadBalancerArn=self.arn,
                                        SecurityGroups=[ref_id(g) for g in self.security_groups or []])
            if "tags" in changes:
                elb.add_tags(ResourceArns=[self.arn], Tags=aws_tags(self.tags or {}))
        attrs = []
        if "cross_zone" in changes:
            attrs.append({"Key": CROSS_ZONE, "Value": str(bool(self.cross_zone)).lower()})
        if "access_log" in changes and self.access_log is not None:
            log = _access_log(self.access_log)
            attrs.append({"Key": ACCESS_LOGS[0], "Value": str(log[0]).lower()})
            if log[0]:
                attrs += [{"Key": ACCESS_LOGS[1], "Value": log[1] or ""}, {"Key": ACCESS_LOGS[2], "Value": log[2] or ""}]
        if attrs:
            elb.modify_load_balancer_attributes(LoadBalancerArn=self.arn, Attributes=attrs)

    def _api_mappings(self) -> list[dict[str, Any]]:
        out = []
        for m in self.subnet_mappings or []:
            entry = {"SubnetId": ref_id(m["subnet"])}
            if m.get("allocation_id"):
                entry["AllocationId"] = m["allocation_id"]
            if m.get("private_ipv4"):
                entry["PrivateIPv4Address"] = m["private_ipv4"]
            out.append(entry)
        return out

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.elbv2.delete_load_balancer(LoadBalancerArn=self.arn))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        log = _access_log(self.access_log)
        tf.add_resource("aws_lb", self.name, {
            "name": self.lb_name,
            "internal": self.scheme == "internal",
            "load_balancer_type": self.lb_type,
            "ip_address_type": self.ip_address_type if self.ip_address_type == "dualstack" else None,
            "subnet_mapping": [Block(subnet_id=m["subnet"].terraform_ref(), allocation_id=m.get("allocation_id"),
                                     private_ipv4_address=m.get("private_ipv4")) for m in self.subnet_mappings or []],
            "security_groups": sorted((g if isinstance(g, str) else g.terraform_ref() for g in self.security_groups or []),
                                      key=inline),
            "enable_cross_zone_load_balancing": self.cross_zone,
            "access_logs": Block(enabled=True, bucket=log[1], prefix=log[2]) if log[0] else None,
            "tags": self.tags,
        })


def _access_log(log: dict[str, Any] | None) -> tuple[bool, str | None, str | None]:
    log = log or {}
    enabled = bool(log.get("enabled"))
    return (enabled, log.get("bucket") or None, log.get("prefix") or None) if enabled else (False, None, None)


def _mapping_keys(mappings: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Mappings as comparable tuples; an address left unset is whatever AWS assigned (as in ``actual``)."""
    assigned = {m["subnet"]: m for m in actual}
    keys = []
    for m in mappings:
        subnet = ref_id(m["subnet"])
        have = assigned.get(subnet, {})
        keys.append((subnet, m.get("allocation_id") or have.get("allocation_id"),
                     m.get("private_ipv4") or have.get("private_ipv4")))
    return sorted(keys, key=str)


@register("load_balancer")
def list_load_balancers(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The cluster's load balancers, each with its tags and attributes."""
    found = tagged(api, "describe_load_balancers", "LoadBalancers", "LoadBalancerArn", cluster_name)
    for lb in found:
        lb["Attributes"] = attributes(api.elbv2.describe_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"])
    return found


@register_deletions("load_balancer")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [LoadBalancer(name=b["LoadBalancerName"], lb_name=b["LoadBalancerName"], arn=b["LoadBalancerArn"])
            for b in owned(snapshot.get("load_balancer"), cluster_name)]
