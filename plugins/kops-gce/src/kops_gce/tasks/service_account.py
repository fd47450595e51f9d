"""ServiceAccount: the IAM service account a role's machines run as, so each role gets only the permissions its
own account is granted (the control plane's through a project IAM binding, nodes none).

As upstream, the task is named by the role's word (``control-plane``, ``node``, ``bastion``: also its Terraform
name) and identified by its email, ``<account ID>@<project>.iam.gserviceaccount.com``. A cluster whose spec
names an account (``spec.cloudConfig.gceServiceAccount``, ``default`` for the project's Compute Engine account)
runs every machine as that one: the task is then shared, only looked up, never made, changed or deleted.

Service accounts take no labels: kops writes the cluster's exact name into the description
(:func:`kops_gce.labels.owner_description`), and deletes only accounts whose description names the cluster.
"""

from __future__ import annotations

import re
from typing import Any

from kops.engine import Changes, Context, Expr, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.api import not_found, status
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.labels import owned

#: The kind of the run's listing of the project's service accounts.
KIND = "serviceAccounts"
#: The email GCE reads as the project's default Compute Engine service account.
DEFAULT = "default"
#: A user-managed account's email: its ID and project.
_EMAIL = re.compile(r"^(?P<id>[a-z][-a-z0-9]*)@(?P<project>[^.@]+)\.iam\.gserviceaccount\.com$")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def split_email(email: str) -> tuple[str, str]:
    """A user-managed account's ID and project (``node-a-example-com@p.iam.gserviceaccount.com``)."""
    m = _EMAIL.match(email)
    if not m:
        raise KopsError(f"service account {email!r}: not an email such as NAME@PROJECT.iam.gserviceaccount.com")
    return m.group("id"), m.group("project")


def account_path(email: str) -> str:
    """The IAM API's path of an account of any project (``v1/projects/-/serviceAccounts/EMAIL``)."""
    return f"v1/projects/-/serviceAccounts/{email}"


def snake(raw: dict[str, Any]) -> dict[str, Any]:
    """An IAM answer with its field names in snake_case, as the run's other listings have them."""
    return {_CAMEL.sub("_", key).lower(): value for key, value in raw.items()}


class ServiceAccount(Task):
    #: ``<account ID>@<project>.iam.gserviceaccount.com``, or ``default``; known before the account exists.
    email: str | None = None
    display_name: str | None = None
    description: str | None = None

    id_field = "email"
    terraform_type = "google_service_account"
    terraform_id_attr = "email"

    def find(self, ctx: Context) -> ServiceAccount | None:
        if self.email == DEFAULT:  # the project's Compute Engine account: always there
            return ServiceAccount(name=self.name, lifecycle=self.lifecycle, email=self.email)
        email = str(self.email or "")
        raw = ctx.snapshot.first(KIND, lambda r: r.get("email") == email)
        if raw is None and self.lifecycle.shared:  # a shared account may belong to another project
            try:
                raw = snake(ctx.cloud.rest("iam", "GET", account_path(email)))
            except Exception as exc:  # noqa: BLE001 - only Google's 404 means "not there"
                if not not_found(exc):
                    raise
        if raw is None:
            return None
        description = raw.get("description") or ""
        if not self.lifecycle.shared and description.startswith("kops cluster ") \
                and not owned(raw, ctx.cluster_name):
            raise KopsError(f"service account {email}: it belongs to another cluster ({description}); "
                            "rename this cluster or delete the other one")
        return ServiceAccount(name=self.name, lifecycle=self.lifecycle, email=raw["email"],
                              display_name=raw.get("display_name") or "", description=description)

    def render_direct(self, ctx: Context, actual: ServiceAccount | None, changes: Changes) -> None:
        email = str(self.email or "")
        account_id, project = split_email(email)
        details = {"displayName": self.display_name or "", "description": self.description or ""}
        if actual is None:
            try:
                made = ctx.cloud.rest("iam", "POST", f"v1/projects/{project}/serviceAccounts",
                                      {"accountId": account_id, "serviceAccount": details})
            except Exception as exc:
                # Made since the run listed the project's accounts: by this run's earlier try whose answer was
                # lost. Its details are set below as for an account found.
                if status(exc) != 409:
                    raise
            else:
                if made.get("email") != email:
                    raise KopsError(f"service account {account_id}: IAM made {made.get('email')!r}, not {email!r}")
                return
        ctx.cloud.rest("iam", "PATCH", f"v1/projects/{project}/serviceAccounts/{email}",
                       {"serviceAccount": details, "updateMask": "displayName,description"})

    def delete_direct(self, ctx: Context) -> None:
        if self.lifecycle.shared or self.email == DEFAULT:
            return
        try:
            ctx.cloud.rest("iam", "DELETE", account_path(str(self.email)))
        except Exception as exc:  # noqa: BLE001 - only Google's 404 is swallowed
            if not not_found(exc):
                raise

    def member(self) -> str:
        """How an IAM policy names the account: ``serviceAccount:EMAIL``."""
        return f"serviceAccount:{self.email}"

    def member_ref(self) -> Any:
        """The policy member in Terraform: the account's email as Terraform knows it, or a shared one's own."""
        if self.lifecycle.shared:
            return self.member()
        return Expr(f'format("serviceAccount:%s", {self.terraform_ref("email")})')

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        account_id, project = split_email(str(self.email or ""))
        tf.add_resource("google_service_account", self.name, {
            "account_id": account_id,
            "description": self.description,
            "display_name": self.display_name,
            "project": project,
        })


@DISCOVERY.register(KIND)
def list_service_accounts(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every service account of the project (IAM filters them by nothing else)."""
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        page = api.rest("iam", "GET", f"v1/projects/{api.project}/serviceAccounts",
                        params={"pageSize": "100", **({"pageToken": token} if token else {})})
        found += [snake(a) for a in page.get("accounts") or []]
        token = page.get("nextPageToken") or ""
        if not token:
            return found


@DISCOVERY.register_deletions(KIND)
def delete_service_accounts(snapshot: Snapshot, cluster_name: str) -> list[ServiceAccount]:
    """The accounts whose description names the cluster; an account the spec names is never one of them."""
    return [ServiceAccount(name=r["email"], email=r["email"])
            for r in owned_in(snapshot, KIND, cluster_name)]
