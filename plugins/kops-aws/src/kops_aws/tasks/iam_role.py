"""IAMRole: the role a group of instances assumes (through an instance profile), or a service account's.

IAM cannot filter by tag, so discovery lists the account's roles once, keeps those named like the
cluster's (``<something>.<cluster>``, or a name cut to IAM's 64 characters with a hash, as upstream cuts
instance and service-account roles' names) and reads each one (``GetRole``: its tags, trust policy and
permissions boundary; ``ListRoles`` returns neither tags nor boundary). Tags decide what is the cluster's.

A service account's role trusts the cluster's IAM OIDC provider, whose ARN holds the AWS account: the trust
policy is written with ``${aws_account_id}`` there, filled in from STS on apply, from the role's own ARN when
compared, and by Terraform through ``templatefile``.
"""

from __future__ import annotations

import json
from typing import Any

from kops.engine import Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.account import ACCOUNT_PLACEHOLDER, account_id, terraform_account
from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.instancegroups import API_SERVER, BASTION, CONTROL_PLANE, NODE, iam_role_name
from kops_aws.naming import MAX_IAM_NAME
from kops_aws.tags import aws_tags, belongs_to, from_aws, is_owned
from kops_aws.tasks.common import delete_quietly, is_not_found

#: The instance roles, whose role and profile names may be cut to fit IAM.
ROLES = (CONTROL_PLANE, API_SERVER, NODE, BASTION)


class IAMRole(Task):
    #: The trust policy (JSON): who may assume the role; ``${aws_account_id}`` stands for the account.
    assume_role_policy: str | None = None
    #: The ARN of a managed policy bounding the role's permissions (``spec.iam.permissionsBoundary``).
    permissions_boundary: str | None = None
    tags: dict[str, str] | None = None
    #: The prefix of the Terraform outputs upstream exports for the role (``masters``: ``masters_role_arn``).
    export_name: str | None = None
    id: str | None = None
    arn: str | None = None

    ignored_fields = {"export_name"}
    output_fields = {"id", "arn"}
    terraform_type = "aws_iam_role"

    def find(self, ctx: Context) -> IAMRole | None:
        raw = ctx.snapshot.first("iam_role", lambda r: r["RoleName"] == self.name)
        if raw is None:
            return None
        tags = from_aws(raw.get("Tags"))
        return IAMRole(
            name=self.name, lifecycle=self.lifecycle,
            assume_role_policy=canonical_json(raw.get("AssumeRolePolicyDocument")),
            permissions_boundary=(raw.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            tags={k: tags[k] for k in self.tags or {} if k in tags},
            id=raw.get("RoleId"), arn=raw.get("Arn"))

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "assume_role_policy":
            if desired and ACCOUNT_PLACEHOLDER in desired:
                # The account is known once the role exists: it is in the role's own ARN.
                if not self.arn:
                    return False
                desired = desired.replace(ACCOUNT_PLACEHOLDER, self.arn.split(":")[4])
            return same_document(desired, actual)
        return super().field_equal(field, desired, actual)

    def _trust_policy(self, ctx: Context) -> str | None:
        policy = self.assume_role_policy
        if policy and ACCOUNT_PLACEHOLDER in policy:
            policy = policy.replace(ACCOUNT_PLACEHOLDER, account_id(ctx))
        return policy

    def render_direct(self, ctx: Context, actual: IAMRole | None, changes: Any) -> None:
        iam = ctx.cloud.iam
        if actual is None:
            args: dict[str, Any] = {"RoleName": self.name, "AssumeRolePolicyDocument": self._trust_policy(ctx),
                                    "Tags": aws_tags(self.tags or {})}
            if self.permissions_boundary:
                args["PermissionsBoundary"] = self.permissions_boundary
            role = iam.create_role(**args)["Role"]
            self.id, self.arn = role["RoleId"], role["Arn"]
            return
        if "assume_role_policy" in changes:
            iam.update_assume_role_policy(RoleName=self.name, PolicyDocument=self._trust_policy(ctx))
        if "permissions_boundary" in changes:
            iam.put_role_permissions_boundary(RoleName=self.name, PermissionsBoundary=self.permissions_boundary)
        if "tags" in changes:
            iam.tag_role(RoleName=self.name, Tags=aws_tags(self.tags or {}))

    def delete_direct(self, ctx: Context) -> None:
        """Detach what IAM refuses to delete a role with (inline and managed policies, instance profiles)."""
        iam = ctx.cloud.iam
        try:
            for policy in paginate(iam, "list_role_policies", "PolicyNames", RoleName=self.name):
                delete_quietly(lambda p=policy: iam.delete_role_policy(RoleName=self.name, PolicyName=p))
            for attached in paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=self.name):
                delete_quietly(lambda a=attached: iam.detach_role_policy(RoleName=self.name, PolicyArn=a["PolicyArn"]))
            for profile in paginate(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=self.name):
                delete_quietly(lambda p=profile: iam.remove_role_from_instance_profile(
                    InstanceProfileName=p["InstanceProfileName"], RoleName=self.name))
        except Exception as exc:
            if is_not_found(exc):
                return
            raise
        delete_quietly(lambda: iam.delete_role(RoleName=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        policy = self.assume_role_policy or ""
        if ACCOUNT_PLACEHOLDER in policy:
            trust = tf.template_ref("aws_iam_role", self.name, "policy", policy, terraform_account(tf))
        else:
            trust = tf.file_ref("aws_iam_role", self.name, "policy", policy)
        tf.add_resource("aws_iam_role", self.name, {
            "name": self.name,
            "assume_role_policy": trust,
            "permissions_boundary": self.permissions_boundary,
            "tags": self.tags,
        })
        if self.export_name:
            tf.add_output(f"{self.export_name}_role_arn", self.terraform_ref("arn"))
            tf.add_output(f"{self.export_name}_role_name", self.terraform_ref("name"))


def canonical_json(document: Any) -> str | None:
    """A policy document (a dict, as boto3 decodes it, or JSON text) as compact JSON with sorted keys."""
    if document is None:
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return document
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def same_document(desired: Any, actual: Any) -> bool:
    """Whether two policy documents say the same, whatever their whitespace and key order."""
    return canonical_json(desired) == canonical_json(actual)


def named_for(name: str, cluster_name: str) -> bool:
    """Whether an IAM name may be one of the cluster's: ``<x>.<cluster>``, an instance role's name cut to fit
    IAM (``masters.this.is.a.long.cluster-name.exa-g6fsnu``), or any name cut that way (a service account's
    role, ``dns-controller.kube-system.sa.a-long-cluster-name.exampl-e6uuer``), which may have lost the cluster's
    name: only its tags tell."""
    if name.endswith("." + cluster_name) or name in {iam_role_name(r, cluster_name) for r in ROLES}:
        return True
    return len(name) == MAX_IAM_NAME and name[-7] == "-"


def cluster_roles(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every role named for the cluster (see :func:`named_for`) and tagged for it, as ``GetRole`` returns it."""
    roles = []
    for listed in paginate(api.iam, "list_roles", "Roles"):
        if not named_for(listed["RoleName"], cluster_name):
            continue
        try:
            role = api.iam.get_role(RoleName=listed["RoleName"])["Role"]
        except Exception as exc:
            if is_not_found(exc):  # deleted between the two calls
                continue
            raise
        if belongs_to(from_aws(role.get("Tags")), cluster_name):
            roles.append(role)
    return roles


def owned_role_names(api: Any, cluster_name: str) -> list[str]:
    """The names of the roles the cluster owns: the roles whose policies and attachments are its own."""
    return [r["RoleName"] for r in cluster_roles(api, cluster_name) if is_owned(from_aws(r.get("Tags")), cluster_name)]


register("iam_role", cluster_roles)


@register_deletions("iam_role")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    items = snapshot.get("iam_role")
    return [IAMRole(name=r["RoleName"], id=r["RoleId"]) for r in items
            if is_owned(from_aws(r.get("Tags")), cluster_name)]
