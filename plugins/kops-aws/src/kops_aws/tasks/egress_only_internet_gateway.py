"""The egress-only internet gateway through which private IPv6 subnets reach the internet (IPv6 clusters)."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Expr, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, paginate, register, register_deletions
from kops_aws.tasks import common
from kops_aws.tasks.vpc import VPC

#: The Terraform input variable naming a shared VPC's egress-only gateway.
VARIABLE = "egress_only_internet_gateway_id"


class EgressOnlyInternetGateway(Task):
    vpc: VPC | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"vpc"}
    replace_on_immutable_change = True
    output_fields = {"id"}
    terraform_type = "aws_egress_only_internet_gateway"

    def find(self, ctx: Context) -> EgressOnlyInternetGateway | None:
        if self.lifecycle.shared and not self.id:
            raw = self._attached_to_shared_vpc(ctx)
        else:
            raw = common.locate(ctx, self, "egress_only_internet_gateway", "EgressOnlyInternetGatewayId",
                                lambda api, id_: api.ec2.describe_egress_only_internet_gateways(
                                    EgressOnlyInternetGatewayIds=[id_])["EgressOnlyInternetGateways"])
        if raw is None:
            return None
        vpcs = [a["VpcId"] for a in raw.get("Attachments", [])]
        return EgressOnlyInternetGateway(name=self.name, lifecycle=self.lifecycle, vpc=vpcs[0] if vpcs else None,
                                         tags=common.matching_tags(raw, self.tags),
                                         id=raw["EgressOnlyInternetGatewayId"])

    def _attached_to_shared_vpc(self, ctx: Context) -> dict[str, Any] | None:
        """The user's gateway in the user's VPC (the API filters these by tag only, so all are listed)."""
        vpc_id = common.ref_id(self.vpc)
        if not vpc_id:
            return None
        gateways = paginate(ctx.cloud.ec2, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways")
        return next((g for g in gateways if any(a.get("VpcId") == vpc_id for a in g.get("Attachments", []))), None)

    def render_direct(self, ctx: Context, actual: EgressOnlyInternetGateway | None, changes: Changes) -> None:
        if actual is not None:
            common.update_tags(ctx, self.id, changes)
            return
        assert self.vpc is not None
        self.id = ctx.cloud.ec2.create_egress_only_internet_gateway(
            VpcId=self.vpc.id, TagSpecifications=common.tag_specifications("egress-only-internet-gateway", self.tags),
        )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]

    def delete_direct(self, ctx: Context) -> None:
        common.delete_quietly(lambda: ctx.cloud.ec2.delete_egress_only_internet_gateway(
            EgressOnlyInternetGatewayId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_egress_only_internet_gateway", self.name, {"vpc_id": self.vpc, "tags": self.tags})

    def terraform_ref(self, attr: str | None = None) -> Any:
        if self.lifecycle.shared and self.id is None:
            # The AWS provider has no data source for it, and Terraform output makes no API call.
            return Expr(f"var.{VARIABLE}")
        return super().terraform_ref(attr)

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        if self.id is None:
            tf.add_variable(VARIABLE, "ID of the egress-only internet gateway of the shared VPC (eigw-...), "
                                      "which private IPv6 subnets route through")


@register("egress_only_internet_gateway")
def list_egress_only_internet_gateways(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways")


@register_deletions("egress_only_internet_gateway")
def delete_egress_only_internet_gateways(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    tasks: list[Task] = []
    for raw in common.owned(snapshot.get("egress_only_internet_gateway"), cluster_name):
        vpcs = [a["VpcId"] for a in raw.get("Attachments", [])]
        tasks.append(EgressOnlyInternetGateway(
            name=common.deletion_name(raw, raw["EgressOnlyInternetGatewayId"]), id=raw["EgressOnlyInternetGatewayId"],
            vpc=VPC(name=vpcs[0], id=vpcs[0]) if vpcs else None))
    return tasks
