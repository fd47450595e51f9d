"""SQSQueue: where EventBridge delivers instance events for the node termination handler to act on.

The queue's policy lets EventBridge send to it and must name the queue's ARN, which holds the account ID.
The policy is written with ``${aws_account_id}`` in its place: the direct target fills it in from STS
(once per run), Terraform through ``templatefile`` and the ``aws_caller_identity`` data source.

Messages are encrypted at rest with SQS-managed keys (``SqsManagedSseEnabled``; no KMS key to manage or
grant EventBridge): instance events name the cluster's instances, and an unencrypted queue fails common
compliance baselines. Both targets set it from the same field, so apply and Terraform agree.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.account import ACCOUNT_PLACEHOLDER, account_id, terraform_account
from kops_aws.discovery import register, register_deletions
from kops_aws.naming import queue_name_prefix
from kops_aws.tags import aws_tags, belongs_to
from kops_aws.tasks.common import delete_quietly, owned
from kops_aws.tasks.iam_role import same_document


class SQSQueue(Task):
    message_retention_seconds: int | None = None
    #: The queue policy (JSON), with ``${aws_account_id}`` where the account ID goes.
    policy: str | None = None
    #: Server-side encryption with SQS-owned keys.
    sse_managed: bool | None = None
    tags: dict[str, str] | None = None
    url: str | None = None
    arn: str | None = None

    id_field = "url"
    output_fields = {"url", "arn"}
    terraform_type = "aws_sqs_queue"

    def find(self, ctx: Context) -> SQSQueue | None:
        raw = ctx.snapshot.first("sqs_queue", lambda q: q["QueueUrl"] == self.url if self.url
                                 else q["QueueUrl"].rsplit("/", 1)[-1] == self.name)
        if raw is None:
            return None
        attrs = raw.get("Attributes", {})
        tags = raw.get("TagMap", {})
        return SQSQueue(name=self.name, lifecycle=self.lifecycle,
                        message_retention_seconds=int(attrs.get("MessageRetentionPeriod", 345600)),
                        policy=attrs.get("Policy"),
                        sse_managed=str(attrs.get("SqsManagedSseEnabled", "false")).lower() == "true",
                        tags={k: tags[k] for k in self.tags or {} if k in tags},
                        url=raw["QueueUrl"], arn=attrs.get("QueueArn"))

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "policy":
            # The account is known once the queue exists: it is in the queue's own ARN.
            account = (self.arn or "").split(":")[4] if self.arn else None
            return account is not None and same_document(desired.replace(ACCOUNT_PLACEHOLDER, account), actual)
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: SQSQueue | None, changes: Changes) -> None:
        sqs = ctx.cloud.sqs
        attrs: dict[str, str] = {}
        if "message_retention_seconds" in changes or actual is None:
            attrs["MessageRetentionPeriod"] = str(self.message_retention_seconds or 345600)
        if self.sse_managed is not None and ("sse_managed" in changes or actual is None):
            attrs["SqsManagedSseEnabled"] = str(self.sse_managed).lower()
        if self.policy and ("policy" in changes or actual is None):
            attrs["Policy"] = self.policy.replace(ACCOUNT_PLACEHOLDER, account_id(ctx))
        if actual is None:
            self.url = sqs.create_queue(QueueName=self.name, Attributes=attrs, tags=self.tags or {})["QueueUrl"]
            self.arn = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"]
            return
        if attrs:
            sqs.set_queue_attributes(QueueUrl=self.url, Attributes=attrs)
        if "tags" in changes:
            sqs.tag_queue(QueueUrl=self.url, Tags=self.tags or {})

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.sqs.delete_queue(QueueUrl=self.url))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        policy = None
        if self.policy:
            policy = tf.template_ref("aws_sqs_queue", self.name, "policy", self.policy, terraform_account(tf))
        tf.add_resource("aws_sqs_queue", self.name, {
            "name": self.name, "message_retention_seconds": self.message_retention_seconds, "policy": policy,
            "sqs_managed_sse_enabled": self.sse_managed, "tags": self.tags,
        })


@register("sqs_queue")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Queues named after the cluster (SQS cannot filter by tag) that are tagged for it."""
    found = []
    for url in api.sqs.list_queues(QueueNamePrefix=queue_name_prefix(cluster_name)).get("QueueUrls", []):
        tags = api.sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        if belongs_to(tags, cluster_name):
            attrs = api.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            found.append({"QueueUrl": url, "Attributes": attrs, "TagMap": tags, "Tags": aws_tags(tags)})
    return found


@register_deletions("sqs_queue")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [SQSQueue(name=q["QueueUrl"].rsplit("/", 1)[-1], url=q["QueueUrl"], arn=q["Attributes"].get("QueueArn"))
            for q in owned(snapshot.get("sqs_queue"), cluster_name)]
