"""A subnet of the cluster's VPC, or a user's subnet (``id`` in the spec), which is only looked up.

An IPv6 block may be given as ``/64#N``: the N-th /64 of the VPC's IPv6 block, known only once AWS has
assigned that block (in Terraform, a ``cidrsubnet`` of it).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from kops.engine import Changes, Context, Expr, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_aws.awsapi import NotYetVisible
from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tasks.common import (
    delete_quietly,
    deletion_name,
    locate,
    matching_tags,
    owned,
    tag_specifications,
    update_tags,
)
from kops_aws.tasks.vpc import VPC

_ALLOCATION = re.compile(r"^/(\d+)#(\d+)$")


def parse_allocation(spec: str) -> tuple[int, int]:
    """``/64#3`` -> (64, 3): a prefix length and the index of the block within the VPC's IPv6 block."""
    m = _ALLOCATION.match(spec)
    if not m:
        raise KopsError(f"invalid IPv6 subnet allocation {spec!r}: expected /LENGTH#INDEX, such as /64#1")
    return int(m.group(1)), int(m.group(2))


def allocate(vpc_cidr: str, spec: str) -> str:
    """The block ``spec`` (``/64#3``) names within ``vpc_cidr`` (``2600:1f18:1::/56``)."""
    length, index = parse_allocation(spec)
    network = ipaddress.ip_network(vpc_cidr)
    if length < network.prefixlen:
        raise KopsError(f"IPv6 subnet allocation {spec}: /{length} is larger than the VPC's block {vpc_cidr}")
    size = 1 << (network.max_prefixlen - length)
    count = 1 << (length - network.prefixlen)
    if index >= count:
        raise KopsError(f"IPv6 subnet allocation {spec}: the VPC's block {vpc_cidr} holds only {count} /{length}s")
    return str(ipaddress.ip_network((int(network.network_address) + index * size, length)))


class Subnet(Task):
    vpc: VPC | None = None
    zone: str | None = None
    cidr: str | None = None
    #: An IPv6 block, or ``/64#N`` (see the module docstring).
    ipv6_cidr: str | None = None
    #: Whether instances get resource-based hostnames (``i-0abc.ec2.internal``) rather than IP-based ones.
    resource_based_naming: bool | None = None
    tags: dict[str, str] | None = None
    #: The subnet's name in the cluster spec (``us-test-1a``): names the Terraform output ``subnet_<it>_id``.
    short_name: str | None = None
    id: str | None = None

    immutable_fields = {"vpc", "zone", "cidr", "ipv6_cidr"}
    immutable_advice = "a subnet's VPC, zone and CIDRs cannot change: restore them in the cluster spec"
    ignored_fields = {"short_name"}
    output_fields = {"id"}
    terraform_type = "aws_subnet"

    def find(self, ctx: Context) -> Subnet | None:
        raw = locate(ctx, self, "subnet", "SubnetId",
                     lambda api, id_: api.ec2.describe_subnets(SubnetIds=[id_])["Subnets"])
        if raw is None:
            return None
        self._resolve_ipv6()
        ipv6 = [a["Ipv6CidrBlock"] for a in raw.get("Ipv6CidrBlockAssociationSet", [])
                if a.get("Ipv6CidrBlockState", {}).get("State") in ("associated", "associating")]
        dns = raw.get("PrivateDnsNameOptionsOnLaunch") or {}
        naming = dns.get("HostnameType") == "resource-name"
        if naming and ((raw.get("CidrBlock") and not dns.get("EnableResourceNameDnsARecord"))
                       or (ipv6 and not dns.get("EnableResourceNameDnsAAAARecord"))):
            naming = None  # resource names, but without the DNS records that go with them: set them again
        return Subnet(name=self.name, lifecycle=self.lifecycle, vpc=raw.get("VpcId"), zone=raw.get("AvailabilityZone"),
                      cidr=raw.get("CidrBlock"), ipv6_cidr=ipv6[0] if ipv6 else None,
                      resource_based_naming=naming, tags=matching_tags(raw, self.tags), id=raw["SubnetId"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "ipv6_cidr" and isinstance(desired, str) and desired.startswith("/"):
            return actual is not None  # an allocation whose VPC block is not known: any block satisfies it
        return super().field_equal(field, desired, actual)

    def _resolve_ipv6(self) -> None:
        """Turn ``/64#N`` into the block itself once the VPC's IPv6 block is known."""
        if self.ipv6_cidr and self.ipv6_cidr.startswith("/") and self.vpc is not None and self.vpc.ipv6_cidr:
            self.ipv6_cidr = allocate(self.vpc.ipv6_cidr, self.ipv6_cidr)

    def render_direct(self, ctx: Context, actual: Subnet | None, changes: Changes) -> None:
        assert self.vpc is not None
        ec2 = ctx.cloud.ec2
        if self.ipv6_cidr and self.ipv6_cidr.startswith("/"):
            self._resolve_ipv6()
            if self.ipv6_cidr.startswith("/"):
                raise NotYetVisible(f"the IPv6 block of VPC {self.vpc.id} is not assigned yet")
        if actual is None:
            request: dict[str, Any] = {"VpcId": self.vpc.id, "AvailabilityZone": self.zone,
                                       "TagSpecifications": tag_specifications("subnet", self.tags)}
            if self.cidr:
                request["CidrBlock"] = self.cidr
            if self.ipv6_cidr:
                request["Ipv6CidrBlock"] = self.ipv6_cidr
                if not self.cidr:
                    request["Ipv6Native"] = True
            self.id = ec2.create_subnet(**request)["Subnet"]["SubnetId"]
            if self.ipv6_cidr:
                ec2.modify_subnet_attribute(SubnetId=self.id, AssignIpv6AddressOnCreation={"Value": True})
        else:
            update_tags(ctx, self.id, changes)
        if self.resource_based_naming is not None and (actual is None or "resource_based_naming" in changes):
            self._set_naming(ec2)

    def _set_naming(self, ec2: Any) -> None:
        on = bool(self.resource_based_naming)
        ec2.modify_subnet_attribute(SubnetId=self.id,
                                    PrivateDnsHostnameTypeOnLaunch="resource-name" if on else "ip-name")
        if self.cidr:
            ec2.modify_subnet_attribute(SubnetId=self.id, EnableResourceNameDnsARecordOnLaunch={"Value": on})
        else:
            ec2.modify_subnet_attribute(SubnetId=self.id, EnableDns64={"Value": True})
        if self.ipv6_cidr:
            ec2.modify_subnet_attribute(SubnetId=self.id, EnableResourceNameDnsAAAARecordOnLaunch={"Value": on})

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.ec2.delete_subnet(SubnetId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        attrs: dict[str, Any] = {
            "vpc_id": self.vpc,
            "availability_zone": self.zone,
            "cidr_block": self.cidr,
            "ipv6_cidr_block": self._terraform_ipv6(),
            "tags": self.tags,
        }
        if not self.cidr:
            attrs["enable_dns64"] = True
            attrs["ipv6_native"] = True
        if self.ipv6_cidr:
            attrs["assign_ipv6_address_on_creation"] = True
        if self.resource_based_naming is not None:
            attrs["private_dns_hostname_type_on_launch"] = "resource-name" if self.resource_based_naming else "ip-name"
            if self.cidr:
                attrs["enable_resource_name_dns_a_record_on_launch"] = self.resource_based_naming
            if self.ipv6_cidr:
                attrs["enable_resource_name_dns_aaaa_record_on_launch"] = self.resource_based_naming
        tf.add_resource("aws_subnet", self.name, attrs)
        self._output(tf)

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_output_item("subnet_ids", self.id)
        self._output(tf)

    def _output(self, tf: TerraformWriter) -> None:
        if self.short_name:
            tf.add_output(f"subnet_{self.short_name}_id", self)

    def _terraform_ipv6(self) -> Any:
        if self.ipv6_cidr and self.ipv6_cidr.startswith("/"):
            length, index = parse_allocation(self.ipv6_cidr)
            return Expr(f"cidrsubnet(local.vpc_ipv6_cidr_block, {length} - local.vpc_ipv6_cidr_length, {index})")
        return self.ipv6_cidr


@register("subnet")
def list_subnets(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_subnets", "Subnets")


@register_deletions("subnet")
def delete_subnets(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [Subnet(name=deletion_name(r, r["SubnetId"]), id=r["SubnetId"], cidr=r.get("CidrBlock"),
                   zone=r.get("AvailabilityZone"), vpc=VPC(name=r["VpcId"], id=r["VpcId"]))
            for r in owned(snapshot.get("subnet"), cluster_name)]
