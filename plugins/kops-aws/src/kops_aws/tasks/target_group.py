"""TargetGroup: the instances a load balancer listener forwards to, and how their health is checked.

Auto Scaling groups register their instances in it. Protocol, port and VPC cannot change in place.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import register, register_deletions
from kops_aws.tags import aws_tags
from kops_aws.tasks.common import delete_quietly, matching_tags, owned, ref_id
from kops_aws.tasks.elbv2 import attributes, tagged
from kops_aws.tasks.vpc import VPC

DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"
CONNECTION_TERMINATION = "deregistration_delay.connection_termination.enabled"


class TargetGroup(Task):
    vpc: VPC | None = None
    protocol: str | None = None
    port: int | None = None
    #: ``{"protocol", "path", "interval", "healthy_threshold", "unhealthy_threshold"}``.
    health_check: dict[str, Any] | None = None
    #: Target group attributes, by AWS key; others AWS sets are left alone.
    attributes: dict[str, str] | None = None
    tags: dict[str, str] | None = None
    arn: str | None = None

    id_field = "arn"
    immutable_fields = {"vpc", "protocol", "port"}
    immutable_advice = ("a target group's protocol, port and VPC cannot change: delete its listener and the "
                        "target group, then update again")
    output_fields = {"arn"}
    terraform_type = "aws_lb_target_group"

    def find(self, ctx: Context) -> TargetGroup | None:
        raw = ctx.snapshot.first("target_group", lambda g: g["TargetGroupArn"] == self.arn if self.arn
                                 else g["TargetGroupName"] == self.name)
        if raw is None:
            return None
        attrs = raw.get("Attributes", {})
        return TargetGroup(
            name=self.name, lifecycle=self.lifecycle, vpc=raw.get("VpcId"), protocol=raw.get("Protocol"),
            port=raw.get("Port"),
            health_check={"protocol": raw.get("HealthCheckProtocol"), "path": raw.get("HealthCheckPath"),
                          "interval": raw.get("HealthCheckIntervalSeconds"),
                          "healthy_threshold": raw.get("HealthyThresholdCount"),
                          "unhealthy_threshold": raw.get("UnhealthyThresholdCount")},
            attributes={k: attrs[k] for k in self.attributes or {} if k in attrs},
            tags=matching_tags(raw, self.tags), arn=raw["TargetGroupArn"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "health_check":
            # A path only matters for HTTP(S) checks; AWS reports none (or "/") for TCP.
            return {k: v for k, v in desired.items() if v is not None} == {
                k: v for k, v in (actual or {}).items() if v is not None and k in desired and desired[k] is not None}
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: TargetGroup | None, changes: Changes) -> None:
        elb = ctx.cloud.elbv2
        check = self._health_check_args()
        if actual is None:
            created = elb.create_target_group(
                Name=self.name, Protocol=self.protocol, Port=self.port, VpcId=ref_id(self.vpc),
                TargetType="instance", Tags=aws_tags(self.tags or {}), **check)["TargetGroups"][0]
            self.arn = created["TargetGroupArn"]
            changes = self.desired_fields()
        else:
            if "health_check" in changes:
                elb.modify_target_group(TargetGroupArn=self.arn, **check)
            if "tags" in changes:
                elb.add_tags(ResourceArns=[self.arn], Tags=aws_tags(self.tags or {}))
        if "attributes" in changes and self.attributes:
            elb.modify_target_group_attributes(TargetGroupArn=self.arn, Attributes=aws_tags(self.attributes))

    def _health_check_args(self) -> dict[str, Any]:
        hc = self.health_check or {}
        args = {"HealthCheckProtocol": hc.get("protocol"), "HealthCheckPath": hc.get("path"),
                "HealthCheckIntervalSeconds": hc.get("interval"), "HealthyThresholdCount": hc.get("healthy_threshold"),
                "UnhealthyThresholdCount": hc.get("unhealthy_threshold")}
        return {k: v for k, v in args.items() if v is not None}

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.elbv2.delete_target_group(TargetGroupArn=self.arn))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        hc = self.health_check or {}
        attrs = self.attributes or {}
        tf.add_resource("aws_lb_target_group", self.name, {
            "name": self.name,
            "port": self.port,
            "protocol": self.protocol,
            "vpc_id": self.vpc.terraform_ref() if isinstance(self.vpc, Task) else self.vpc,
            "connection_termination": attrs.get(CONNECTION_TERMINATION),
            "deregistration_delay": attrs.get(DEREGISTRATION_DELAY),
            "health_check": Block(protocol=hc.get("protocol"), path=hc.get("path"), interval=hc.get("interval"),
                                  healthy_threshold=hc.get("healthy_threshold"),
                                  unhealthy_threshold=hc.get("unhealthy_threshold")),
            "tags": self.tags,
        })


@register("target_group")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The cluster's target groups, each with its tags and attributes."""
    found = tagged(api, "describe_target_groups", "TargetGroups", "TargetGroupArn", cluster_name)
    for group in found:
        group["Attributes"] = attributes(api.elbv2.describe_target_group_attributes(
            TargetGroupArn=group["TargetGroupArn"])["Attributes"])
    return found


@register_deletions("target_group")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [TargetGroup(name=g["TargetGroupName"], arn=g["TargetGroupArn"])
            for g in owned(snapshot.get("target_group"), cluster_name)]
