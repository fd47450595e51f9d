"""DHCP options for the cluster's VPC (the region's internal domain, Amazon's resolver), and their association.

DHCP options are immutable in AWS: a different domain means new options associated in place of the old.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tags import aws_tags
from kops_aws.tasks.common import (
    delete_quietly,
    deletion_name,
    locate,
    matching_tags,
    owned,
    ref_id,
    tag_specifications,
    update_tags,
)
from kops_aws.tasks.vpc import VPC
from kops_aws.tasks.vpc import _describe as describe_vpc


class DHCPOptions(Task):
    domain_name: str | None = None
    domain_name_servers: list[str] | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"domain_name", "domain_name_servers"}
    replace_on_immutable_change = True
    output_fields = {"id"}
    terraform_type = "aws_vpc_dhcp_options"

    def find(self, ctx: Context) -> DHCPOptions | None:
        raw = locate(ctx, self, "dhcp_options", "DhcpOptionsId",
                     lambda api, id_: api.ec2.describe_dhcp_options(DhcpOptionsIds=[id_])["DhcpOptions"])
        if raw is None:
            return None
        config = {c["Key"]: [v["Value"] for v in c.get("Values", [])] for c in raw.get("DhcpConfigurations", [])}
        names = config.get("domain-name") or [None]
        return DHCPOptions(name=self.name, lifecycle=self.lifecycle, domain_name=names[0],
                           domain_name_servers=config.get("domain-name-servers"),
                           tags=matching_tags(raw, self.tags), id=raw["DhcpOptionsId"])

    def render_direct(self, ctx: Context, actual: DHCPOptions | None, changes: Changes) -> None:
        if actual is not None:
            update_tags(ctx, self.id, changes)
            return
        config = []
        if self.domain_name:
            config.append({"Key": "domain-name", "Values": [self.domain_name]})
        if self.domain_name_servers:
            config.append({"Key": "domain-name-servers", "Values": list(self.domain_name_servers)})
        ec2 = ctx.cloud.ec2
        created = ec2.create_dhcp_options(
            DhcpConfigurations=config, TagSpecifications=tag_specifications("dhcp-options", self.tags))["DhcpOptions"]
        self.id = created["DhcpOptionsId"]
        if self.tags and not created.get("Tags"):
            # Some EC2 implementations ignore tags on this create; untagged options would never be found again.
            ec2.create_tags(Resources=[self.id], Tags=aws_tags(self.tags))

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.ec2.delete_dhcp_options(DhcpOptionsId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_vpc_dhcp_options", self.name, {
            "domain_name": self.domain_name,
            "domain_name_servers": self.domain_name_servers,
            "tags": self.tags,
        })


class VPCDHCPOptionsAssociation(Task):
    """Which DHCP options a VPC uses. Deleting the association puts the VPC back on AWS's defaults, so the
    options can be deleted while the VPC (perhaps shared) stays."""

    vpc: VPC | None = None
    dhcp_options: DHCPOptions | None = None

    id_field = ""
    terraform_type = "aws_vpc_dhcp_options_association"

    def find(self, ctx: Context) -> VPCDHCPOptionsAssociation | None:
        assert self.vpc is not None and self.dhcp_options is not None
        if not self.vpc.id or not self.dhcp_options.id:
            return None
        raw = locate(ctx, self.vpc, "vpc", "VpcId", describe_vpc)
        if raw is None or raw.get("DhcpOptionsId") != self.dhcp_options.id:
            return None
        return VPCDHCPOptionsAssociation(name=self.name, lifecycle=self.lifecycle, vpc=raw["VpcId"],
                                         dhcp_options=raw["DhcpOptionsId"])

    def render_direct(self, ctx: Context, actual: VPCDHCPOptionsAssociation | None, changes: Changes) -> None:
        assert self.vpc is not None and self.dhcp_options is not None
        ctx.cloud.ec2.associate_dhcp_options(DhcpOptionsId=self.dhcp_options.id, VpcId=self.vpc.id)

    def delete_direct(self, ctx: Context) -> None:
        vpc_id = ref_id(self.vpc)
        delete_quietly(lambda: ctx.cloud.ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc_id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_vpc_dhcp_options_association", self.name, {
            "dhcp_options_id": self.dhcp_options,
            "vpc_id": self.vpc,
        })


@register("dhcp_options")
def list_dhcp_options(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_dhcp_options", "DhcpOptions")


@register_deletions("dhcp_options")
def delete_dhcp_options(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """The cluster's DHCP options, each after every VPC using it is switched back to the defaults."""
    tasks: list[Task] = []
    for raw in owned(snapshot.get("dhcp_options"), cluster_name):
        options = DHCPOptions(name=deletion_name(raw, raw["DhcpOptionsId"]), id=raw["DhcpOptionsId"])
        tasks.append(options)
        for vpc in snapshot.get("vpc"):
            if vpc.get("DhcpOptionsId") == options.id:
                tasks.append(VPCDHCPOptionsAssociation(
                    name=f"{options.id} in {vpc['VpcId']}", dhcp_options=options,
                    vpc=VPC(name=vpc["VpcId"], id=vpc["VpcId"])))
    return tasks
