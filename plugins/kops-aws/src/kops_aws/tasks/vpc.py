"""The cluster's VPC, or the user's VPC (``networkID``) which is only looked up and checked, never changed."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Expr, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

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

#: The prefix length of the VPC's IPv6 block, as Terraform computes it (empty when there is none).
IPV6_CIDR_LENGTH = Expr('local.vpc_ipv6_cidr_block == "" ? null : '
                        'tonumber(regex(".*/(\\\\d+)", local.vpc_ipv6_cidr_block)[0])')


class VPC(Task):
    cidr: str | None = None
    enable_dns_support: bool | None = None
    enable_dns_hostnames: bool | None = None
    #: Whether the VPC has an Amazon-provided IPv6 block (always asked for on a VPC kOps creates).
    amazon_ipv6: bool | None = None
    tags: dict[str, str] | None = None
    id: str | None = None
    #: The VPC's IPv6 block, once AWS has assigned it: subnets carve their ``/64#N`` blocks out of it.
    ipv6_cidr: str | None = None

    immutable_fields = {"cidr"}
    immutable_advice = "a VPC's primary CIDR cannot change: restore networkCIDR, or add additionalNetworkCIDRs"
    output_fields = {"id", "ipv6_cidr"}
    terraform_type = "aws_vpc"

    def find(self, ctx: Context) -> VPC | None:
        raw = locate(ctx, self, "vpc", "VpcId", _describe)
        if raw is None:
            return None
        ipv6 = [a for a in raw.get("Ipv6CidrBlockAssociationSet", [])
                if a.get("Ipv6CidrBlockState", {}).get("State") in ("associated", "associating")]
        amazon = [a for a in ipv6 if a.get("Ipv6Pool") == "Amazon"]
        chosen = (amazon or ipv6 or [{}])[0]
        ec2 = ctx.cloud.ec2
        support = hostnames = None
        if self.enable_dns_support is not None:
            support = ec2.describe_vpc_attribute(VpcId=raw["VpcId"], Attribute="enableDnsSupport")[
                "EnableDnsSupport"]["Value"]
        if self.enable_dns_hostnames is not None:
            hostnames = ec2.describe_vpc_attribute(VpcId=raw["VpcId"], Attribute="enableDnsHostnames")[
                "EnableDnsHostnames"]["Value"]
        return VPC(name=self.name, lifecycle=self.lifecycle, cidr=raw.get("CidrBlock"), enable_dns_support=support,
                   enable_dns_hostnames=hostnames, amazon_ipv6=bool(amazon), tags=matching_tags(raw, self.tags),
                   id=raw["VpcId"], ipv6_cidr=chosen.get("Ipv6CidrBlock"))

    def render_direct(self, ctx: Context, actual: VPC | None, changes: Changes) -> None:
        ec2 = ctx.cloud.ec2
        if actual is None:
            vpc = ec2.create_vpc(CidrBlock=self.cidr, AmazonProvidedIpv6CidrBlock=bool(self.amazon_ipv6),
                                 TagSpecifications=tag_specifications("vpc", self.tags))["Vpc"]
            self.id = vpc["VpcId"]
            assoc = [a for a in vpc.get("Ipv6CidrBlockAssociationSet", []) if a.get("Ipv6CidrBlock")]
            self.ipv6_cidr = assoc[0]["Ipv6CidrBlock"] if assoc else None
            changes = self.desired_fields()
        elif "amazon_ipv6" in changes and self.amazon_ipv6:
            ec2.associate_vpc_cidr_block(VpcId=self.id, AmazonProvidedIpv6CidrBlock=True)
        if "enable_dns_support" in changes:
            ec2.modify_vpc_attribute(VpcId=self.id, EnableDnsSupport={"Value": bool(self.enable_dns_support)})
        if "enable_dns_hostnames" in changes:
            ec2.modify_vpc_attribute(VpcId=self.id, EnableDnsHostnames={"Value": bool(self.enable_dns_hostnames)})
        if actual is not None:
            update_tags(ctx, self.id, changes)

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.ec2.delete_vpc(VpcId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_vpc", self.name, {
            "cidr_block": self.cidr,
            "enable_dns_hostnames": self.enable_dns_hostnames,
            "enable_dns_support": self.enable_dns_support,
            "assign_generated_ipv6_cidr_block": self.amazon_ipv6,
            "tags": self.tags,
        })
        self._outputs(tf)

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_data_source("aws_vpc", self.name, {"id": self.id})
        self._outputs(tf)

    def _outputs(self, tf: TerraformWriter) -> None:
        tf.add_output("vpc_id", self)
        tf.add_output("vpc_cidr_block", self.terraform_ref("cidr_block"))
        tf.add_output("vpc_ipv6_cidr_block", self.terraform_ref("ipv6_cidr_block"))
        tf.add_output("vpc_ipv6_cidr_length", IPV6_CIDR_LENGTH)


def _describe(api: Any, vpc_id: str) -> list[dict[str, Any]]:
    return api.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]


@register("vpc")
def list_vpcs(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_vpcs", "Vpcs")


@register_deletions("vpc")
def delete_vpcs(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [VPC(name=deletion_name(r, r["VpcId"]), id=r["VpcId"], cidr=r.get("CidrBlock"))
            for r in owned(snapshot.get("vpc"), cluster_name)]
