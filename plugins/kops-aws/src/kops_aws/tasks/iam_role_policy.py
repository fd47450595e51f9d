"""IAMRolePolicy: an inline policy of one of the cluster's roles.

An empty document means "this policy must not exist", as upstream models it: when the user removes a
role's ``additionalPolicies`` entry, the next update deletes the inline policy instead of leaving
permissions behind. A policy that is absent and should be absent is no change.

The control plane's policy names the Route 53 zone dns-controller writes to. When the spec names the zone
by domain (or not at all), its ID is known only in the cloud: the document then holds
``${hosted_zone_id}``, filled in when the policy is found (from the run's listing of hosted zones) and,
in Terraform, through ``templatefile`` and the zone's data source.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Expr, Snapshot, Task
from kops.engine.hcl import inline
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.iampolicy import HOSTED_ZONE
from kops_aws.tasks.common import delete_quietly
from kops_aws.tasks.dns_record import terraform_zone_id, zone_id_of, zones_for
from kops_aws.tasks.iam_role import IAMRole, canonical_json, owned_role_names, same_document


class IAMRolePolicy(Task):
    role: IAMRole | None = None
    #: The policy (JSON); ``""`` to make sure the role has no inline policy of this name.
    policy_document: str | None = None
    #: Where ``${hosted_zone_id}`` points: ``{"zone": spec.dnsZone or None, "private": bool}``.
    hosted_zone: dict[str, Any] | None = None

    immutable_fields = {"role"}
    ignored_fields = {"hosted_zone"}
    terraform_type = "aws_iam_role_policy"

    def find(self, ctx: Context) -> IAMRolePolicy | None:
        assert self.role is not None
        if self.policy_document and HOSTED_ZONE in self.policy_document:
            self.policy_document = self.policy_document.replace(HOSTED_ZONE, self._zone_id(ctx))
        raw = ctx.snapshot.first("iam_role_policy",
                                 lambda p: p["RoleName"] == self.role.name and p["PolicyName"] == self.name)
        if raw is None:
            # Absent, as it should be: nothing to do. Absent but wanted: create it.
            return IAMRolePolicy(name=self.name, role=self.role, policy_document="") if not self.policy_document else None
        return IAMRolePolicy(name=self.name, lifecycle=self.lifecycle, role=IAMRole(name=raw["RoleName"]),
                             policy_document=canonical_json(raw["PolicyDocument"]))

    def _zone_id(self, ctx: Context) -> str:
        where = self.hosted_zone or {}
        zones = zones_for(ctx.snapshot.get("hosted_zone"), ctx.cluster_name, where.get("zone"), where.get("private"))
        if not zones:
            raise KopsError(f"no Route53 hosted zone found for {where.get('zone') or ctx.cluster_name}: create it, "
                            "or set spec.dnsZone to its ID")
        return zone_id_of(zones[0])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "policy_document":
            return (not desired and not actual) or same_document(desired, actual)
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: IAMRolePolicy | None, changes: Any) -> None:
        assert self.role is not None
        if self.policy_document:
            ctx.cloud.iam.put_role_policy(RoleName=self.role.name, PolicyName=self.name,
                                          PolicyDocument=self.policy_document)
        elif actual is not None:
            self._delete(ctx, self.role.name)

    def delete_direct(self, ctx: Context) -> None:
        assert self.role is not None
        self._delete(ctx, self.role.name)

    def _delete(self, ctx: Context, role_name: str) -> None:
        delete_quietly(lambda: ctx.cloud.iam.delete_role_policy(RoleName=role_name, PolicyName=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        if not self.policy_document or self.role is None:
            return  # no resource: Terraform removes a policy that is no longer in the configuration
        policy = tf.file_ref("aws_iam_role_policy", self.name, "policy", self.policy_document)
        if HOSTED_ZONE in self.policy_document:
            where = self.hosted_zone or {}
            zone = terraform_zone_id(tf, ctx.cluster_name, where.get("zone"), where.get("private"))
            policy = Expr(f"templatefile({policy.text.removeprefix('file(')[:-1]}, "
                          f"{{ hosted_zone_id = {inline(zone)} }})")
        tf.add_resource("aws_iam_role_policy", self.name, {
            "name": self.name,
            "role": self.role.terraform_ref("name"),
            "policy": policy,
        })


@register("iam_role_policy")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The inline policies of the roles the cluster owns, with their documents."""
    found = []
    for role in owned_role_names(api, cluster_name):
        for policy in paginate(api.iam, "list_role_policies", "PolicyNames", RoleName=role):
            got = api.iam.get_role_policy(RoleName=role, PolicyName=policy)
            found.append({"RoleName": role, "PolicyName": policy, "PolicyDocument": got["PolicyDocument"]})
    return found


@register_deletions("iam_role_policy")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    items = snapshot.get("iam_role_policy")
    # The listing holds only owned roles' policies; the role placeholder orders the deletes.
    return [IAMRolePolicy(name=p["PolicyName"], role=IAMRole(name=p["RoleName"])) for p in items]
