"""IAMRolePolicyAttachments: the managed policies attached to one of the cluster's roles.

``spec.externalPolicies`` names policies the user manages; kops attaches exactly those to the role and
detaches any other, so removing one from the spec removes it from the role. The task stands for the
whole set, so it always "exists": an empty set on a role without attachments is no change.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.names import fnv32a

from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.tasks.common import delete_quietly
from kops_aws.tasks.iam_role import IAMRole, owned_role_names


class IAMRolePolicyAttachments(Task):
    role: IAMRole | None = None
    #: ARNs of the managed policies the role must have, sorted.
    policy_arns: list[str] | None = None

    immutable_fields = {"role"}
    terraform_type = "aws_iam_role_policy_attachment"

    def find(self, ctx: Context) -> IAMRolePolicyAttachments:
        assert self.role is not None
        attached = sorted(a["PolicyArn"] for a in ctx.snapshot.get("iam_role_policy_attachment")
                          if a["RoleName"] == self.role.name)
        return IAMRolePolicyAttachments(name=self.name, lifecycle=self.lifecycle, role=self.role,
                                        policy_arns=attached)

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "policy_arns":
            return sorted(desired or []) == sorted(actual or [])
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: IAMRolePolicyAttachments | None, changes: Any) -> None:
        assert self.role is not None
        iam = ctx.cloud.iam
        have = set(actual.policy_arns or []) if actual else set()
        want = set(self.policy_arns or [])
        for arn in sorted(want - have):
            iam.attach_role_policy(RoleName=self.role.name, PolicyArn=arn)
        for arn in sorted(have - want):
            delete_quietly(lambda a=arn: iam.detach_role_policy(RoleName=self.role.name, PolicyArn=a))

    def delete_direct(self, ctx: Context) -> None:
        assert self.role is not None
        for arn in self.policy_arns or []:
            delete_quietly(lambda a=arn: ctx.cloud.iam.detach_role_policy(RoleName=self.role.name, PolicyArn=a))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        assert self.role is not None
        for arn in self.policy_arns or []:
            # One resource per policy, named with a hash of its ARN as upstream names them.
            tf.add_resource("aws_iam_role_policy_attachment", f"{self.name}-{fnv32a(arn.encode())}",
                            {"policy_arn": arn, "role": self.role.terraform_ref("name")})


@register("iam_role_policy_attachment")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The managed policies attached to the roles the cluster owns."""
    return [{"RoleName": role, "PolicyArn": a["PolicyArn"]}
            for role in owned_role_names(api, cluster_name)
            for a in paginate(api.iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)]


@register_deletions("iam_role_policy_attachment")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    items = snapshot.get("iam_role_policy_attachment")
    by_role: dict[str, list[str]] = {}
    for item in items:
        by_role.setdefault(item["RoleName"], []).append(item["PolicyArn"])
    return [IAMRolePolicyAttachments(name=f"{role}-attachments", role=IAMRole(name=role), policy_arns=sorted(arns))
            for role, arns in sorted(by_role.items())]
