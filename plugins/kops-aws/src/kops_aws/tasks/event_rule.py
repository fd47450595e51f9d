"""EventRule: an EventBridge rule matching instance events (spot interruptions, terminations, ...).

Rule names start with the cluster's name (cut to 40 characters), which is how discovery finds them:
EventBridge lists rules by name prefix, not by tag.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.awsapi import error_code
from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.naming import cluster_name40
from kops_aws.tags import aws_tags, belongs_to, from_aws
from kops_aws.tasks.common import matching_tags, owned
from kops_aws.tasks.iam_role import same_document


class EventRule(Task):
    #: The event pattern (JSON).
    event_pattern: str | None = None
    tags: dict[str, str] | None = None
    arn: str | None = None

    id_field = "arn"
    output_fields = {"arn"}
    terraform_type = "aws_cloudwatch_event_rule"

    def find(self, ctx: Context) -> EventRule | None:
        raw = ctx.snapshot.first("event_rule", lambda r: r["Name"] == self.name)
        if raw is None:
            return None
        return EventRule(name=self.name, lifecycle=self.lifecycle, event_pattern=raw.get("EventPattern"),
                         tags=matching_tags(raw, self.tags), arn=raw["Arn"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "event_pattern":
            return same_document(desired, actual)
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: EventRule | None, changes: Changes) -> None:
        events = ctx.cloud.events
        if actual is None:
            self.arn = events.put_rule(Name=self.name, EventPattern=self.event_pattern,
                                       Tags=aws_tags(self.tags or {}))["RuleArn"]
            return
        if "event_pattern" in changes:
            events.put_rule(Name=self.name, EventPattern=self.event_pattern)
        if "tags" in changes:
            events.tag_resource(ResourceARN=self.arn, Tags=aws_tags(self.tags or {}))

    def delete_direct(self, ctx: Context) -> None:
        """Remove the rule's targets first: EventBridge refuses to delete a rule that has any."""
        events = ctx.cloud.events
        try:
            ids = [t["Id"] for t in paginate(events, "list_targets_by_rule", "Targets", Rule=self.name)]
            if ids:
                events.remove_targets(Rule=self.name, Ids=ids)
            events.delete_rule(Name=self.name)
        except Exception as exc:
            if not gone(exc):
                raise

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_cloudwatch_event_rule", self.name, {
            "name": self.name,
            "event_pattern": tf.file_ref("aws_cloudwatch_event_rule", self.name, "event_pattern",
                                         self.event_pattern or ""),
            "tags": self.tags,
        })


def gone(exc: BaseException) -> bool:
    """Whether an EventBridge error says the rule does not exist (deleted already: nothing to do)."""
    return error_code(exc) == "ResourceNotFoundException"


def cluster_rules(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Rules named after the cluster and tagged for it, with their ``Tags``."""
    found = []
    for rule in paginate(api.events, "list_rules", "Rules", NamePrefix=cluster_name40(cluster_name)):
        tags = api.events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
        if belongs_to(from_aws(tags), cluster_name):
            found.append({**rule, "Tags": tags})
    return found


register("event_rule", cluster_rules)


@register_deletions("event_rule")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [EventRule(name=r["Name"], arn=r["Arn"]) for r in owned(snapshot.get("event_rule"), cluster_name)]
