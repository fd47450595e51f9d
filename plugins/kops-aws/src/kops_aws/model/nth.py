"""The node termination handler's queue mode (upstream's default on AWS when the handler is enabled).

Instance events reach the handler through an SQS queue (``<cluster-with-dashes>-nth``): EventBridge
rules for Auto Scaling terminations, spot interruptions, instance state changes and scheduled
maintenance (plus rebalance recommendations when asked for) send to it, and every Auto Scaling group
holds terminating instances (a lifecycle hook) until the handler has drained the node. In IMDS mode
(``enableSQSTerminationDraining: false``) the handler watches instance metadata instead: nothing here.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Task

from kops_aws.account import ACCOUNT_PLACEHOLDER
from kops_aws.iampolicy import document, partition, statement
from kops_aws.instancegroups import asg_name, nth_queue_mode
from kops_aws.naming import cluster_name40, queue_name_prefix
from kops_aws.tasks.autoscaling_lifecycle_hook import AutoscalingLifecycleHook
from kops_aws.tasks.event_rule import EventRule
from kops_aws.tasks.event_target import EventTarget
from kops_aws.tasks.sqs_queue import SQSQueue

#: How long a message waits in the queue, and how long a terminating instance waits for the handler.
RETENTION_SECONDS = 300

#: The events the handler acts on, by rule name suffix; the patterns are upstream's text.
EVENTS = {
    "ASGLifecycle": '{"source":["aws.autoscaling"],"detail-type":["EC2 Instance-terminate Lifecycle Action"]}',
    "SpotInterruption": '{"source": ["aws.ec2"],"detail-type": ["EC2 Spot Instance Interruption Warning"]}',
    "InstanceStateChange": '{"source": ["aws.ec2"],"detail-type": ["EC2 Instance State-change Notification"]}',
    "InstanceScheduledChange": '{"source": ["aws.health"],"detail-type": ["AWS Health Event"],'
                               '"detail": {"service": ["EC2"],"eventTypeCategory": ["scheduledChange"]}}',
}
REBALANCE = ("RebalanceRecommendation",
             '{"source": ["aws.ec2"],"detail-type": ["EC2 Instance Rebalance Recommendation"]}')


class NodeTerminationHandlerBuilder:
    def build(self, aws: Any) -> list[Task]:
        spec = aws.spec
        if not nth_queue_mode(spec):
            return []
        tasks: list[Task] = []
        for group in aws.model.instance_groups:
            if group.spec.manager == "Karpenter":
                continue
            tasks.append(AutoscalingLifecycleHook(
                name=f"{group.metadata.name}-NTHLifecycleHook", hook_name=f"{group.metadata.name}-NTHLifecycleHook",
                autoscaling_group=aws.get("AutoscalingGroup", asg_name(group, aws.cluster_name)),
                lifecycle_transition="autoscaling:EC2_INSTANCE_TERMINATING", default_result="CONTINUE",
                heartbeat_timeout=RETENTION_SECONDS))
        name = queue_name_prefix(aws.cluster_name) + "-nth"
        arn = f"arn:{partition(aws.region)}:sqs:{aws.region}:{ACCOUNT_PLACEHOLDER}:{name}"
        policy = document([statement("sqs:SendMessage", arn, principal={
            "Service": ["events.amazonaws.com", "sqs.amazonaws.com"]})])
        queue = SQSQueue(name=name, message_retention_seconds=RETENTION_SECONDS, policy=policy, sse_managed=True,
                         tags=aws.tags(name))
        tasks.append(queue)
        events = dict(EVENTS)
        if spec.nodeTerminationHandler.enableRebalanceDraining:
            events[REBALANCE[0]] = REBALANCE[1]
        for suffix, pattern in events.items():
            rule_name = f"{cluster_name40(aws.cluster_name)}-{suffix}"
            rule = EventRule(name=rule_name, event_pattern=pattern, tags=aws.tags(rule_name))
            tasks += [rule, EventTarget(name=f"{rule_name}-Target", rule=rule, queue=queue)]
        return tasks


BUILDER = NodeTerminationHandlerBuilder()
