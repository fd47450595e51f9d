"""A route table: the public one every public subnet shares, or a private one per zone.

Routes and subnet associations live inside the route table as AWS reports it, so one listing of route
tables serves the Route and RouteTableAssociation tasks too.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tags import TAG_KOPS_ROLE
from kops_aws.tasks import common
from kops_aws.tasks.vpc import VPC


def describe(api: Any, route_table_id: str) -> list[dict[str, Any]]:
    return api.ec2.describe_route_tables(RouteTableIds=[route_table_id])["RouteTables"]


class RouteTable(Task):
    vpc: VPC | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"vpc"}
    output_fields = {"id"}
    terraform_type = "aws_route_table"

    def find(self, ctx: Context) -> RouteTable | None:
        raw = common.locate(ctx, self, "route_table", "RouteTableId", describe)
        if raw is None:
            return None
        return RouteTable(name=self.name, lifecycle=self.lifecycle, vpc=raw.get("VpcId"),
                          tags=common.matching_tags(raw, self.tags), id=raw["RouteTableId"])

    def render_direct(self, ctx: Context, actual: RouteTable | None, changes: Changes) -> None:
        if actual is not None:
            common.update_tags(ctx, self.id, changes)
            return
        assert self.vpc is not None
        self.id = ctx.cloud.ec2.create_route_table(
            VpcId=self.vpc.id, TagSpecifications=common.tag_specifications("route-table", self.tags),
        )["RouteTable"]["RouteTableId"]

    def delete_direct(self, ctx: Context) -> None:
        common.delete_quietly(lambda: ctx.cloud.ec2.delete_route_table(RouteTableId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        role = (self.tags or {}).get(TAG_KOPS_ROLE)
        if role:
            tf.add_output(f"route_table_{role}_id", self)
        tf.add_resource("aws_route_table", self.name, {"vpc_id": self.vpc, "tags": self.tags})


@register("route_table")
def list_route_tables(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_route_tables", "RouteTables")


@register_deletions("route_table")
def delete_route_tables(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """The cluster's route tables (their routes go with them), each after its subnets are let go."""
    from kops_aws.tasks.route_table_association import RouteTableAssociation
    from kops_aws.tasks.subnet import Subnet

    tasks: list[Task] = []
    for raw in common.owned(snapshot.get("route_table"), cluster_name):
        if any(a.get("Main") for a in raw.get("Associations", [])):
            continue  # a VPC's main route table goes with the VPC
        table = RouteTable(name=common.deletion_name(raw, raw["RouteTableId"]), id=raw["RouteTableId"],
                           vpc=VPC(name=raw["VpcId"], id=raw["VpcId"]))
        tasks.append(table)
        for assoc in raw.get("Associations", []):
            if assoc.get("SubnetId"):
                tasks.append(RouteTableAssociation(
                    name=assoc["RouteTableAssociationId"], id=assoc["RouteTableAssociationId"], route_table=table,
                    subnet=Subnet(name=assoc["SubnetId"], id=assoc["SubnetId"])))
    return tasks
