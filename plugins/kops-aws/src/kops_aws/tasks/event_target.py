"""EventTarget: sends what an EventBridge rule matches to the node termination handler's queue."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.tasks.common import owned
from kops_aws.tasks.event_rule import EventRule, cluster_rules, gone
from kops_aws.tasks.sqs_queue import SQSQueue

#: The target's ID within its rule (a rule has one target here), as upstream gives it.
TARGET_ID = "1"


class EventTarget(Task):
    rule: EventRule | None = None
    queue: SQSQueue | None = None

    immutable_fields = {"rule"}
    terraform_type = "aws_cloudwatch_event_target"

    def find(self, ctx: Context) -> EventTarget | None:
        assert self.rule is not None
        raw = ctx.snapshot.first("event_target", lambda t: t["Rule"] == self.rule.name and t["Id"] == TARGET_ID)
        if raw is None:
            return None
        return EventTarget(name=self.name, lifecycle=self.lifecycle, rule=EventRule(name=raw["Rule"]),
                           queue=raw["Arn"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "queue":
            return isinstance(desired, SQSQueue) and desired.arn is not None and desired.arn == actual
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: EventTarget | None, changes: Changes) -> None:
        assert self.rule is not None and self.queue is not None
        ctx.cloud.events.put_targets(Rule=self.rule.name, Targets=[{"Id": TARGET_ID, "Arn": self.queue.arn}])

    def delete_direct(self, ctx: Context) -> None:
        assert self.rule is not None
        try:
            ctx.cloud.events.remove_targets(Rule=self.rule.name, Ids=[TARGET_ID])
        except Exception as exc:
            if not gone(exc):
                raise

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        assert self.rule is not None and self.queue is not None
        tf.add_resource("aws_cloudwatch_event_target", self.name, {
            "rule": self.rule.terraform_ref("id"),
            "arn": self.queue.terraform_ref("arn"),
        })


@register("event_target")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The targets of the cluster's rules (with the rule's tags, to tell owned from shared)."""
    return [{**target, "Rule": rule["Name"], "Tags": rule["Tags"]}
            for rule in cluster_rules(api, cluster_name)
            for target in paginate(api.events, "list_targets_by_rule", "Targets", Rule=rule["Name"])]


@register_deletions("event_target")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [EventTarget(name=f"{t['Rule']}/{t['Id']}", rule=EventRule(name=t["Rule"]), queue=t["Arn"])
            for t in owned(snapshot.get("event_target"), cluster_name) if t["Id"] == TARGET_ID]
