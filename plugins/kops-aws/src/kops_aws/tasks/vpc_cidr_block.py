"""An extra IPv4 block of the cluster's VPC (``additionalNetworkCIDRs``); subnets in it wait for it."""

from __future__ import annotations

from kops.engine import Changes, Context, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.tasks import common
from kops_aws.tasks.vpc import VPC
from kops_aws.tasks.vpc import _describe as describe_vpc

#: Association states of a block that is, or is becoming, part of the VPC.
LIVE_STATES = ("associated", "associating")


class VPCCIDRBlock(Task):
    vpc: VPC | None = None
    cidr: str | None = None
    #: The association's ID (``vpc-cidr-assoc-...``).
    id: str | None = None

    immutable_fields = {"vpc", "cidr"}
    output_fields = {"id"}
    terraform_type = "aws_vpc_ipv4_cidr_block_association"

    def find(self, ctx: Context) -> VPCCIDRBlock | None:
        assert self.vpc is not None
        if not self.vpc.id:
            return None
        raw = common.locate(ctx, self.vpc, "vpc", "VpcId", describe_vpc)
        for assoc in (raw or {}).get("CidrBlockAssociationSet", []):
            if assoc.get("CidrBlock") == self.cidr and assoc.get("CidrBlockState", {}).get("State") in LIVE_STATES:
                return VPCCIDRBlock(name=self.name, lifecycle=self.lifecycle, vpc=raw["VpcId"], cidr=self.cidr,
                                    id=assoc["AssociationId"])
        return None

    def render_direct(self, ctx: Context, actual: VPCCIDRBlock | None, changes: Changes) -> None:
        assert self.vpc is not None
        self.id = ctx.cloud.ec2.associate_vpc_cidr_block(VpcId=self.vpc.id, CidrBlock=self.cidr)[
            "CidrBlockAssociation"]["AssociationId"]

    def delete_direct(self, ctx: Context) -> None:
        common.delete_quietly(lambda: ctx.cloud.ec2.disassociate_vpc_cidr_block(AssociationId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_vpc_ipv4_cidr_block_association", f"cidr-{self.cidr}", {
            "cidr_block": self.cidr,
            "vpc_id": self.vpc,
        })

