"""The internet gateway attached to the cluster's VPC.

In a shared VPC the gateway is the user's: found by its attachment to that VPC, never changed. Terraform
then reads it with a data source, since no cloud call happens while writing Terraform.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Expr, Snapshot, Task
from kops.engine.hcl import resource_name
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
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


class InternetGateway(Task):
    vpc: VPC | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"vpc"}
    replace_on_immutable_change = True
    output_fields = {"id"}
    terraform_type = "aws_internet_gateway"

    def find(self, ctx: Context) -> InternetGateway | None:
        if self.lifecycle.shared and not self.id:
            raw = self._attached_to_shared_vpc(ctx)
        else:
            raw = locate(ctx, self, "internet_gateway", "InternetGatewayId", lambda api, id_: api.ec2.
                         describe_internet_gateways(InternetGatewayIds=[id_])["InternetGateways"])
        if raw is None:
            return None
        attached = [a["VpcId"] for a in raw.get("Attachments", []) if a.get("State") in ("available", "attached")]
        return InternetGateway(name=self.name, lifecycle=self.lifecycle, vpc=attached[0] if attached else None,
                               tags=matching_tags(raw, self.tags), id=raw["InternetGatewayId"])

    def _attached_to_shared_vpc(self, ctx: Context) -> dict[str, Any] | None:
        if self.vpc is None or not self.vpc.id:
            return None
        found = ctx.cloud.ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [self.vpc.id]}])["InternetGateways"]
        return found[0] if found else None

    def render_direct(self, ctx: Context, actual: InternetGateway | None, changes: Changes) -> None:
        assert self.vpc is not None
        ec2 = ctx.cloud.ec2
        if actual is None:
            self.id = ec2.create_internet_gateway(
                TagSpecifications=tag_specifications("internet-gateway", self.tags))["InternetGateway"][
                "InternetGatewayId"]
        else:
            update_tags(ctx, self.id, changes)
        if actual is None or actual.vpc is None:
            ec2.attach_internet_gateway(InternetGatewayId=self.id, VpcId=self.vpc.id)

    def delete_direct(self, ctx: Context) -> None:
        ec2 = ctx.cloud.ec2
        vpc_id = ref_id(self.vpc)
        if vpc_id:
            delete_quietly(lambda: ec2.detach_internet_gateway(InternetGatewayId=self.id, VpcId=vpc_id))
        delete_quietly(lambda: ec2.delete_internet_gateway(InternetGatewayId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_internet_gateway", self.name, {"vpc_id": self.vpc, "tags": self.tags})

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        if self.id is None:
            tf.add_data_source("aws_internet_gateway", self.name, {
                "filter": Block(name="attachment.vpc-id", values=[self.vpc]),
            })

    def terraform_ref(self, attr: str | None = None) -> Any:
        if self.lifecycle.shared and self.id is None:
            return Expr(f"data.aws_internet_gateway.{resource_name(self.name)}.{attr or 'id'}")
        return super().terraform_ref(attr)


@register("internet_gateway")
def list_internet_gateways(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_internet_gateways", "InternetGateways")


@register_deletions("internet_gateway")
def delete_internet_gateways(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    tasks: list[Task] = []
    for raw in owned(snapshot.get("internet_gateway"), cluster_name):
        vpcs = [a["VpcId"] for a in raw.get("Attachments", [])]
        tasks.append(InternetGateway(name=deletion_name(raw, raw["InternetGatewayId"]), id=raw["InternetGatewayId"],
                                     vpc=VPC(name=vpcs[0], id=vpcs[0]) if vpcs else None))
    return tasks
