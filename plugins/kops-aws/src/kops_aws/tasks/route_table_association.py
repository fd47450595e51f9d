"""Which route table a subnet uses. A subnet found on another table is moved, not left where it was."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.awsapi import error_code
from kops_aws.tasks import common
from kops_aws.tasks.route_table import RouteTable
from kops_aws.tasks.subnet import Subnet


class RouteTableAssociation(Task):
    route_table: RouteTable | None = None
    subnet: Subnet | None = None
    #: The association's ID (``rtbassoc-...``).
    id: str | None = None

    output_fields = {"id"}
    terraform_type = "aws_route_table_association"

    def find(self, ctx: Context) -> RouteTableAssociation | None:
        subnet_id = common.ref_id(self.subnet)
        if self.id:
            match = self._association(ctx, lambda a: a.get("RouteTableAssociationId") == self.id)
        elif subnet_id:
            match = self._association(ctx, lambda a: a.get("SubnetId") == subnet_id)
        else:
            return None
        if match is None:
            return None
        table, assoc = match
        return RouteTableAssociation(name=self.name, lifecycle=self.lifecycle, route_table=table["RouteTableId"],
                                     subnet=assoc["SubnetId"], id=assoc["RouteTableAssociationId"])

    @staticmethod
    def _association(ctx: Context, predicate: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for table in ctx.snapshot.get("route_table"):
            for assoc in table.get("Associations", []):
                if predicate(assoc) and assoc.get("AssociationState", {}).get("State", "associated") in (
                        "associated", "associating"):
                    return table, assoc
        return None

    def render_direct(self, ctx: Context, actual: RouteTableAssociation | None, changes: Changes) -> None:
        assert self.route_table is not None and self.subnet is not None
        ec2 = ctx.cloud.ec2
        if actual is not None:
            self.id = ec2.replace_route_table_association(AssociationId=actual.id, RouteTableId=self.route_table.id)[
                "NewAssociationId"]
            return
        try:
            self.id = ec2.associate_route_table(RouteTableId=self.route_table.id, SubnetId=self.subnet.id)[
                "AssociationId"]
        except Exception as exc:
            if error_code(exc) != "Resource.AlreadyAssociated":
                raise
            # A retry after an association AWS made but did not confirm: the listing is older than it.
            found = ctx.cloud.ec2.describe_route_tables(
                Filters=[{"Name": "association.subnet-id", "Values": [self.subnet.id]}])["RouteTables"]
            assoc = next(a for t in found for a in t.get("Associations", []) if a.get("SubnetId") == self.subnet.id)
            self.id = assoc["RouteTableAssociationId"]
            if found[0]["RouteTableId"] != self.route_table.id:
                raise

    def delete_direct(self, ctx: Context) -> None:
        common.delete_quietly(lambda: ctx.cloud.ec2.disassociate_route_table(AssociationId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_route_table_association", self.name, {
            "route_table_id": self.route_table,
            "subnet_id": self.subnet,
        })
