"""One route in a route table: a destination (IPv4 or IPv6) and exactly one target.

Targets are tasks when the cluster makes them (internet gateway, NAT gateway, egress-only gateway) and
IDs when they come from the spec (a transit gateway, a peering connection, a NAT instance).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_aws.awsapi import error_code
from kops_aws.tasks import common
from kops_aws.tasks.egress_only_internet_gateway import EgressOnlyInternetGateway
from kops_aws.tasks.internet_gateway import InternetGateway
from kops_aws.tasks.nat_gateway import NatGateway
from kops_aws.tasks.route_table import RouteTable
from kops_aws.tasks.route_table import describe as describe_route_table

#: Target field -> (the key AWS reports it under, the create/replace parameter, the Terraform attribute).
TARGETS = {
    "internet_gateway": ("GatewayId", "GatewayId", "gateway_id"),
    "nat_gateway": ("NatGatewayId", "NatGatewayId", "nat_gateway_id"),
    "egress_only_gateway": ("EgressOnlyInternetGatewayId", "EgressOnlyInternetGatewayId", "egress_only_gateway_id"),
    "transit_gateway_id": ("TransitGatewayId", "TransitGatewayId", "transit_gateway_id"),
    "peering_connection_id": ("VpcPeeringConnectionId", "VpcPeeringConnectionId", "vpc_peering_connection_id"),
    "instance_id": ("InstanceId", "InstanceId", "instance_id"),
}


class Route(Task):
    route_table: RouteTable | None = None
    cidr: str | None = None
    ipv6_cidr: str | None = None
    internet_gateway: InternetGateway | None = None
    nat_gateway: NatGateway | None = None
    egress_only_gateway: EgressOnlyInternetGateway | None = None
    transit_gateway_id: str | None = None
    peering_connection_id: str | None = None
    instance_id: str | None = None

    id_field = ""
    immutable_fields = {"route_table", "cidr", "ipv6_cidr"}
    terraform_type = "aws_route"

    def find(self, ctx: Context) -> Route | None:
        assert self.route_table is not None
        if not self.route_table.id:
            return None
        table = common.locate(ctx, self.route_table, "route_table", "RouteTableId", describe_route_table)
        raw = self._route_in(table)
        if raw is None:
            return None
        targets = {field: raw.get(key) for field, (key, _, _) in TARGETS.items()}
        return Route(name=self.name, lifecycle=self.lifecycle, route_table=table["RouteTableId"], cidr=self.cidr,
                     ipv6_cidr=self.ipv6_cidr, **targets)

    def _route_in(self, table: dict[str, Any] | None) -> dict[str, Any] | None:
        for route in (table or {}).get("Routes", []):
            if self.cidr is not None and route.get("DestinationCidrBlock") == self.cidr:
                return route
            if self.ipv6_cidr is not None and route.get("DestinationIpv6CidrBlock") == self.ipv6_cidr:
                return route
        return None

    def _request(self) -> dict[str, Any]:
        request: dict[str, Any] = {"RouteTableId": common.ref_id(self.route_table)}
        if self.cidr is not None:
            request["DestinationCidrBlock"] = self.cidr
        else:
            request["DestinationIpv6CidrBlock"] = self.ipv6_cidr
        for field, (_, param, _) in TARGETS.items():
            value = getattr(self, field)
            if value is not None:
                if not common.ref_id(value):
                    raise KopsError(f"the route's target {value} was not found; a shared VPC needs its own "
                                    f"internet gateway attached")
                request[param] = common.ref_id(value)
        return request

    def render_direct(self, ctx: Context, actual: Route | None, changes: Changes) -> None:
        ec2 = ctx.cloud.ec2
        if actual is not None:
            ec2.replace_route(**self._request())
            return
        try:
            ec2.create_route(**self._request())
        except Exception as exc:
            if error_code(exc) != "RouteAlreadyExists":
                raise
            ec2.replace_route(**self._request())  # a retry after a create AWS made but did not confirm

    def delete_direct(self, ctx: Context) -> None:
        request = {k: v for k, v in self._request().items()
                   if k in ("RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock")}
        common.delete_quietly(lambda: ctx.cloud.ec2.delete_route(**request))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        attrs: dict[str, Any] = {
            "route_table_id": self.route_table,
            "destination_cidr_block": self.cidr,
            "destination_ipv6_cidr_block": self.ipv6_cidr,
        }
        for field, (_, _, attr) in TARGETS.items():
            attrs[attr] = getattr(self, field)
        tf.add_resource("aws_route", f"route-{self.name}", attrs)
