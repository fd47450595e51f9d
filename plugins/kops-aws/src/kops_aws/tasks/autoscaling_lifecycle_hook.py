"""AutoscalingLifecycleHook: makes an Auto Scaling group wait for someone before it launches or ends an instance.

The node termination handler holds terminations until it has drained the node; a warm pool's hook holds
launches until nodeup has prepared the instance. Hook names are only unique within a group, so the
task's name (which must be unique in the run) can differ from the hook's (``hook_name``).

A hook with ``enabled: False`` must not exist: turning a group's warm pool off removes its hook.

Auto Scaling lists hooks only one group at a time, which would make a re-plan's calls grow with the
number of instance groups. So each hook kops puts is also recorded as a tag on its group
(``kops.k8s.io/lifecycle-hook/<name>`` = ``transition|default result|heartbeat``), and discovery
reads the hooks from the groups' tags, which the group listing already returns. A hook deleted by hand
behind kops's back is therefore not noticed until its tag is removed too; one put by kops before the tag
existed is simply put again (``PutLifecycleHook`` is idempotent) and tagged.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import register, register_deletions
from kops_aws.tasks.autoscaling_group import AutoscalingGroup, list_groups
from kops_aws.tasks.common import delete_quietly, owned

#: Prefix of the group tags that record the hooks kops put on a group.
HOOK_TAG = "kops.k8s.io/lifecycle-hook/"


class AutoscalingLifecycleHook(Task):
    autoscaling_group: AutoscalingGroup | None = None
    hook_name: str | None = None
    #: ``autoscaling:EC2_INSTANCE_TERMINATING`` or ``autoscaling:EC2_INSTANCE_LAUNCHING``.
    lifecycle_transition: str | None = None
    #: What happens when nobody answers in time: ``CONTINUE`` or ``ABANDON``.
    default_result: str | None = None
    heartbeat_timeout: int | None = None
    #: False: make sure the hook does not exist.
    enabled: bool = True

    immutable_fields = {"autoscaling_group", "hook_name"}
    terraform_type = "aws_autoscaling_lifecycle_hook"

    def find(self, ctx: Context) -> AutoscalingLifecycleHook | None:
        assert self.autoscaling_group is not None
        group = self.autoscaling_group.name
        raw = ctx.snapshot.first("autoscaling_lifecycle_hook", lambda h: h["AutoScalingGroupName"] == group
                                 and h["LifecycleHookName"] == self.hook_name)
        if raw is None:
            # Absent, as it should be: nothing to do. Absent but wanted: create it.
            return None if self.enabled else AutoscalingLifecycleHook(
                name=self.name, autoscaling_group=self.autoscaling_group, hook_name=self.hook_name, enabled=False)
        return AutoscalingLifecycleHook(
            name=self.name, lifecycle=self.lifecycle, autoscaling_group=AutoscalingGroup(name=group),
            hook_name=raw["LifecycleHookName"], lifecycle_transition=raw.get("LifecycleTransition"),
            default_result=raw.get("DefaultResult"), heartbeat_timeout=raw.get("HeartbeatTimeout"))

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if not self.enabled and field != "enabled":
            return True  # a hook that must go: only whether it exists matters
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: AutoscalingLifecycleHook | None, changes: Changes) -> None:
        assert self.autoscaling_group is not None
        if not self.enabled:
            self.delete_direct(ctx)
            return
        ctx.cloud.autoscaling.put_lifecycle_hook(
            AutoScalingGroupName=self.autoscaling_group.name, LifecycleHookName=self.hook_name,
            LifecycleTransition=self.lifecycle_transition, DefaultResult=self.default_result,
            HeartbeatTimeout=self.heartbeat_timeout)
        ctx.cloud.autoscaling.create_or_update_tags(Tags=[{
            "ResourceId": self.autoscaling_group.name, "ResourceType": "auto-scaling-group",
            "Key": HOOK_TAG + str(self.hook_name), "PropagateAtLaunch": False,
            "Value": f"{self.lifecycle_transition}|{self.default_result}|{self.heartbeat_timeout}"}])

    def delete_direct(self, ctx: Context) -> None:
        assert self.autoscaling_group is not None
        group = self.autoscaling_group.name
        delete_quietly(lambda: ctx.cloud.autoscaling.delete_lifecycle_hook(
            AutoScalingGroupName=group, LifecycleHookName=self.hook_name))
        delete_quietly(lambda: ctx.cloud.autoscaling.delete_tags(Tags=[{
            "ResourceId": group, "ResourceType": "auto-scaling-group", "Key": HOOK_TAG + str(self.hook_name)}]))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        assert self.autoscaling_group is not None
        if not self.enabled:
            return  # no resource: Terraform removes a hook that is no longer in the configuration
        tf.add_resource("aws_autoscaling_lifecycle_hook", self.name, {
            "name": self.hook_name,
            "autoscaling_group_name": self.autoscaling_group.terraform_ref("id"),
            "default_result": self.default_result,
            "heartbeat_timeout": self.heartbeat_timeout,
            "lifecycle_transition": self.lifecycle_transition,
        })


@register("autoscaling_lifecycle_hook")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The hooks recorded on the cluster's Auto Scaling groups, with each group's tags (to tell owned from shared)."""
    hooks = []
    for group in list_groups(api, cluster_name):
        for tag in group.get("Tags", []):
            if not tag["Key"].startswith(HOOK_TAG):
                continue
            transition, default_result, heartbeat = (tag.get("Value", "").split("|") + ["", "", ""])[:3]
            hooks.append({"AutoScalingGroupName": group["AutoScalingGroupName"],
                          "LifecycleHookName": tag["Key"][len(HOOK_TAG):], "LifecycleTransition": transition,
                          "DefaultResult": default_result,
                          "HeartbeatTimeout": int(heartbeat) if heartbeat.isdigit() else None,
                          "Tags": group.get("Tags", [])})
    return hooks


@register_deletions("autoscaling_lifecycle_hook")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [AutoscalingLifecycleHook(name=f"{h['AutoScalingGroupName']}/{h['LifecycleHookName']}",
                                     autoscaling_group=AutoscalingGroup(name=h["AutoScalingGroupName"]),
                                     hook_name=h["LifecycleHookName"])
            for h in owned(snapshot.get("autoscaling_lifecycle_hook"), cluster_name)]
