"""IAMInstanceProfile: what a launch template names to give its instances a role; holds that one role.

The role association is part of the profile here (``role``), as Terraform's ``aws_iam_instance_profile``
has it: an instance profile holds at most one role. A profile the user made (an instance group's
``iam.profile``) is shared: looked up by name, never changed.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.tags import aws_tags, belongs_to, from_aws, is_owned
from kops_aws.tasks.common import delete_quietly, is_not_found
from kops_aws.tasks.iam_role import IAMRole, named_for


class IAMInstanceProfile(Task):
    role: IAMRole | None = None
    tags: dict[str, str] | None = None
    id: str | None = None
    arn: str | None = None

    output_fields = {"id", "arn"}
    terraform_type = "aws_iam_instance_profile"

    def find(self, ctx: Context) -> IAMInstanceProfile | None:
        if self.lifecycle.shared:
            raw = _get(ctx.cloud, self.name)
        else:
            raw = ctx.snapshot.first("iam_instance_profile", lambda p: p["InstanceProfileName"] == self.name)
        if raw is None:
            return None
        roles = raw.get("Roles") or []
        tags = from_aws(raw.get("Tags"))
        return IAMInstanceProfile(
            name=self.name, lifecycle=self.lifecycle,
            role=IAMRole(name=roles[0]["RoleName"]) if roles else None,
            tags={k: tags[k] for k in self.tags or {} if k in tags},
            id=raw.get("InstanceProfileId"), arn=raw.get("Arn"))

    def render_direct(self, ctx: Context, actual: IAMInstanceProfile | None, changes: Any) -> None:
        iam = ctx.cloud.iam
        if actual is None:
            profile = iam.create_instance_profile(InstanceProfileName=self.name, Tags=aws_tags(self.tags or {}))
            self.id, self.arn = profile["InstanceProfile"]["InstanceProfileId"], profile["InstanceProfile"]["Arn"]
        elif "tags" in changes:
            iam.tag_instance_profile(InstanceProfileName=self.name, Tags=aws_tags(self.tags or {}))
        if "role" in changes or actual is None:
            if actual is not None and actual.role is not None:
                delete_quietly(lambda: iam.remove_role_from_instance_profile(
                    InstanceProfileName=self.name, RoleName=actual.role.name))
            if self.role is not None:
                iam.add_role_to_instance_profile(InstanceProfileName=self.name, RoleName=self.role.name)

    def delete_direct(self, ctx: Context) -> None:
        iam = ctx.cloud.iam
        if self.role is not None:
            delete_quietly(lambda: iam.remove_role_from_instance_profile(
                InstanceProfileName=self.name, RoleName=self.role.name))
        delete_quietly(lambda: iam.delete_instance_profile(InstanceProfileName=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_iam_instance_profile", self.name, {
            "name": self.name,
            "role": self.role.terraform_ref("name") if self.role else None,
            "tags": self.tags,
        })

    def launch_template_ref(self) -> Any:
        """How a Terraform launch template names this profile: a shared one by its name, ours by reference."""
        return self.name if self.lifecycle.shared else self.terraform_ref("id")


def _get(api: Any, name: str) -> dict[str, Any] | None:
    try:
        return api.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


@register("iam_instance_profile")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Profiles named for the cluster and tagged for it (``GetInstanceProfile`` has the tags)."""
    found = []
    for listed in paginate(api.iam, "list_instance_profiles", "InstanceProfiles"):
        if not named_for(listed["InstanceProfileName"], cluster_name):
            continue
        profile = _get(api, listed["InstanceProfileName"])
        if profile is not None and belongs_to(from_aws(profile.get("Tags")), cluster_name):
            found.append(profile)
    return found


@register_deletions("iam_instance_profile")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    items = snapshot.get("iam_instance_profile")
    return [IAMInstanceProfile(name=p["InstanceProfileName"], id=p["InstanceProfileId"],
                               role=IAMRole(name=p["Roles"][0]["RoleName"]) if p.get("Roles") else None)
            for p in items if is_owned(from_aws(p.get("Tags")), cluster_name)]
