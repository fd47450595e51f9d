"""ProjectIAMBinding: a role granted on the project to one of the cluster's service accounts, as upstream grants
the control plane's account GKE's ``roles/container.serviceAgent`` (what its controllers need of Compute).

The project's IAM policy is one document many hands write: kops reads it with its ``etag``, adds (or, deleting,
removes) only its own member, and writes it back; a policy changed in between is refused by IAM with a 409 and
the whole read-modify-write starts again. Other members of the role, and conditional bindings, are left alone.
In Terraform it is upstream's ``google_project_iam_binding``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.api import status
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks.service_account import KIND as ACCOUNTS
from kops_gce.tasks.service_account import ServiceAccount

#: The kind of the run's listing of the project's IAM policy (one item).
KIND = "projectIamPolicy"
#: How many times a read-modify-write starts again after losing a race.
ATTEMPTS = 8
#: How long a new account may stay unknown to IAM policies (Google's IAM is eventually consistent).
NEW_ACCOUNT_WAIT = 60.0

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _project_lock(project: str) -> threading.Lock:
    """One writer of a project's policy at a time in this process."""
    with _locks_guard:
        return _locks.setdefault(project, threading.Lock())


def get_policy(api: Any, project: str) -> dict[str, Any]:
    return api.rest("cloudresourcemanager", "POST", f"v1/projects/{project}:getIamPolicy",
                    {"options": {"requestedPolicyVersion": 3}})


def has_member(policy: dict[str, Any], role: str, member: str) -> bool:
    return any(b.get("role") == role and not b.get("condition") and member in (b.get("members") or [])
               for b in policy.get("bindings") or [])


def add_member(policy: dict[str, Any], role: str, member: str) -> bool:
    """Add ``member`` to the role's unconditional binding (made if missing); whether the policy changed."""
    if has_member(policy, role, member):
        return False
    bindings = policy.setdefault("bindings", [])
    binding = next((b for b in bindings if b.get("role") == role and not b.get("condition")), None)
    if binding is None:
        bindings.append({"role": role, "members": [member]})
    else:
        binding.setdefault("members", []).append(member)
    return True


def remove_member(policy: dict[str, Any], role: str, member: str) -> bool:
    """Take ``member`` out of the role's unconditional bindings (dropping any left empty); whether it was there."""
    changed = False
    kept = []
    for binding in policy.get("bindings") or []:
        if binding.get("role") == role and not binding.get("condition") and member in (binding.get("members") or []):
            binding["members"] = [m for m in binding["members"] if m != member]
            changed = True
        if binding.get("members"):
            kept.append(binding)
    policy["bindings"] = kept
    return changed


def _new_account_unknown(exc: BaseException) -> bool:
    return status(exc) == 400 and "does not exist" in str(getattr(exc, "message", exc))


def modify_policy(api: Any, project: str, change: Callable[[dict[str, Any]], bool]) -> None:
    """Read the project's policy, apply ``change`` (which says whether it changed anything) and write it back with
    the etag it was read with; a write that lost a race starts again."""
    deadline = time.monotonic() + NEW_ACCOUNT_WAIT
    with _project_lock(project):
        for attempt in range(1, ATTEMPTS + 1):
            policy = get_policy(api, project)
            if not change(policy):
                return
            try:
                api.rest("cloudresourcemanager", "POST", f"v1/projects/{project}:setIamPolicy", {"policy": policy})
                return
            except Exception as exc:
                if status(exc) == 409 and attempt < ATTEMPTS:
                    time.sleep(min(0.2 * 2 ** attempt, 5.0))
                    continue
                if _new_account_unknown(exc) and time.monotonic() < deadline:
                    time.sleep(2.0)
                    continue
                raise
    raise KopsError(f"project {project}: its IAM policy kept changing while kops wrote it ({ATTEMPTS} attempts)")


class ProjectIAMBinding(Task):
    project: str | None = None
    role: str | None = None
    member_service_account: ServiceAccount | None = None

    # A binding has no ID of its own: it is the pair (role, member).
    id_field = ""
    immutable_fields = {"project", "role", "member_service_account"}
    replace_on_immutable_change = True
    terraform_type = "google_project_iam_binding"

    def _member(self) -> str:
        if self.member_service_account is None or not self.member_service_account.email:
            raise KopsError(f"{self}: member_service_account: required")
        return self.member_service_account.member()

    def find(self, ctx: Context) -> ProjectIAMBinding | None:
        project, role, member = str(self.project), str(self.role), self._member()
        if project == ctx.cloud.project:
            policy = ctx.snapshot.first(KIND, lambda _p: True) or {}
        else:
            policy = get_policy(ctx.cloud, project)
        if not has_member(policy, role, member):
            return None
        return ProjectIAMBinding(name=self.name, lifecycle=self.lifecycle, project=project, role=role,
                                 member_service_account=self.member_service_account)

    def render_direct(self, ctx: Context, actual: ProjectIAMBinding | None, changes: Changes) -> None:
        role, member = str(self.role), self._member()
        if not self.project or not role:
            raise KopsError(f"{self}: project and role: required")
        modify_policy(ctx.cloud, self.project, lambda policy: add_member(policy, role, member))

    def delete_direct(self, ctx: Context) -> None:
        role, member = str(self.role), self._member()
        modify_policy(ctx.cloud, str(self.project), lambda policy: remove_member(policy, role, member))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        if self.member_service_account is None:
            raise KopsError(f"{self}: member_service_account: required")
        tf.add_resource("google_project_iam_binding", self.name, {
            "members": [self.member_service_account.member_ref()],
            "project": self.project,
            "role": self.role,
        })


@DISCOVERY.register(KIND)
def list_project_policy(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The project's IAM policy, as the one item of its kind."""
    return [{"name": f"projects/{api.project}", "project": api.project, **get_policy(api, api.project)}]


@DISCOVERY.register_deletions("projectIamBindings")
def delete_project_bindings(snapshot: Snapshot, cluster_name: str) -> list[ProjectIAMBinding]:
    """The roles granted to the cluster's own service accounts (only those members are taken out); each is
    removed before its account is deleted."""
    emails = {r["email"] for r in owned_in(snapshot, ACCOUNTS, cluster_name)}
    if not emails:
        return []
    policy = snapshot.first(KIND, lambda _p: True) or {}
    found: dict[str, ProjectIAMBinding] = {}
    for binding in policy.get("bindings") or []:
        if binding.get("condition"):
            continue
        for member in binding.get("members") or []:
            kind, _, email = str(member).partition(":")
            if kind == "serviceAccount" and email in emails:
                name = f"{binding['role']} {email}"
                found[name] = ProjectIAMBinding(
                    name=name, project=policy.get("project"), role=binding["role"],
                    member_service_account=ServiceAccount(name=email, email=email))
    return list(found.values())
