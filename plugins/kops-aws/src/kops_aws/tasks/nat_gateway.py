"""A zone's NAT gateway: private subnets reach the IPv4 internet through it, from a public subnet.

A gateway named in the spec (``egress: nat-...``) is the user's: only looked up, and referenced by ID.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tasks import common
from kops_aws.tasks.elastic_ip import ElasticIP
from kops_aws.tasks.subnet import Subnet

#: How long to wait for a gateway to come up or go away: up to ten minutes.
WAIT = {"Delay": 15, "MaxAttempts": 40}

#: States of a gateway that exists or is coming up; deleted and failed ones are ignored.
LIVE_STATES = ("pending", "available")


class NatGateway(Task):
    subnet: Subnet | None = None
    elastic_ip: ElasticIP | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"subnet", "elastic_ip"}
    replace_on_immutable_change = True
    output_fields = {"id"}
    terraform_type = "aws_nat_gateway"

    def find(self, ctx: Context) -> NatGateway | None:
        raw = common.locate(ctx, self, "nat_gateway", "NatGatewayId",
                            lambda api, id_: api.ec2.describe_nat_gateways(NatGatewayIds=[id_])["NatGateways"])
        if raw is None or raw.get("State") not in LIVE_STATES:
            return None
        allocations = [a["AllocationId"] for a in raw.get("NatGatewayAddresses", []) if a.get("AllocationId")]
        return NatGateway(name=self.name, lifecycle=self.lifecycle, subnet=raw.get("SubnetId"),
                          elastic_ip=allocations[0] if allocations else None,
                          tags=common.matching_tags(raw, self.tags), id=raw["NatGatewayId"])

    def render_direct(self, ctx: Context, actual: NatGateway | None, changes: Changes) -> None:
        if actual is not None:
            common.update_tags(ctx, self.id, changes)
            return
        assert self.subnet is not None and self.elastic_ip is not None
        ec2 = ctx.cloud.ec2
        self.id = ec2.create_nat_gateway(
            SubnetId=self.subnet.id, AllocationId=self.elastic_ip.id, ClientToken=f"{ctx.cluster_name}/{self.name}",
            TagSpecifications=common.tag_specifications("natgateway", self.tags))["NatGateway"]["NatGatewayId"]
        # Routes through a gateway that is still pending are refused: wait for it, as upstream does.
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[self.id], WaiterConfig=WAIT)

    def delete_direct(self, ctx: Context) -> None:
        ec2 = ctx.cloud.ec2
        common.delete_quietly(lambda: ec2.delete_nat_gateway(NatGatewayId=self.id))
        # Its address and subnet stay in use until the gateway is gone.
        ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[self.id], WaiterConfig=WAIT)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_nat_gateway", self.name, {
            "allocation_id": self.elastic_ip,
            "subnet_id": self.subnet,
            "tags": self.tags,
        })


@register("nat_gateway")
def list_nat_gateways(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Live gateways only: AWS lists a deleted (or failed) one for about an hour, and a cluster deleted and made
    again under its name must not find it."""
    return [g for g in ec2_tagged(api, cluster_name, "describe_nat_gateways", "NatGateways")
            if g.get("State") in LIVE_STATES]


@register_deletions("nat_gateway")
def delete_nat_gateways(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """Each after nothing routes through it, and before its address and subnet go."""
    tasks: list[Task] = []
    for raw in common.owned(snapshot.get("nat_gateway"), cluster_name):
        allocations = [a["AllocationId"] for a in raw.get("NatGatewayAddresses", []) if a.get("AllocationId")]
        tasks.append(NatGateway(
            name=common.deletion_name(raw, raw["NatGatewayId"]), id=raw["NatGatewayId"],
            subnet=Subnet(name=raw["SubnetId"], id=raw["SubnetId"]),
            elastic_ip=ElasticIP(name=allocations[0], id=allocations[0]) if allocations else None))
    return tasks
