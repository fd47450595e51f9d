"""The IAM service-accounts API (``iam.googleapis.com/v1/projects/P/serviceAccounts``) and the project IAM
policy of Resource Manager (``cloudresourcemanager.googleapis.com`` ``v1`` and ``v3``
``projects/P:getIamPolicy`` / ``:setIamPolicy``), with the project itself (``GET v1/projects/P``).

These newer APIs answer errors without the ``errors`` list Compute adds. A policy written with a stale ``etag``
is refused with 409 ABORTED, as Google does, so read-modify-write races are seen; a binding naming a service
account of the project that does not exist is a 400.
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
from typing import Any

from kops_gce.testing.fakegce import pages
from kops_gce.testing.fakegce.errors import ApiError
from kops_gce.testing.fakegce.store import State

Body = dict[str, Any]
_ACCOUNT_ID = re.compile(r"[a-z](?:[-a-z0-9]{4,28}[a-z0-9])")


def _error(code: int, message: str, status: str) -> ApiError:
    return ApiError(code, status.lower(), message, status=status)


def _etag() -> str:
    return base64.b64encode(b"\x00\x05" + secrets.token_bytes(6)).decode()


class IAM:
    def __init__(self, state: State):
        self.state = state
        #: project -> email -> service account
        self.accounts: dict[str, dict[str, Body]] = {}
        #: project -> policy
        self.policies: dict[str, Body] = {}

    def seed(self, project: str) -> None:
        """A new project's default Compute Engine service account, and its owner binding."""
        number = self.state.project(project).number
        email = f"{number}-compute@developer.gserviceaccount.com"
        self.accounts.setdefault(project, {})[email] = self._account(
            project, email, "Compute Engine default service account")
        self.policies[project] = {"version": 1, "etag": _etag(), "bindings": [
            {"role": "roles/editor", "members": [f"serviceAccount:{email}"]},
            {"role": "roles/owner", "members": ["user:owner@example.com"]}]}

    def _account(self, project: str, email: str, display: str = "", description: str = "") -> Body:
        unique = str(secrets.randbelow(9 * 10**20) + 10**20)
        account = {"name": f"projects/{project}/serviceAccounts/{email}", "projectId": project,
                   "uniqueId": unique, "email": email, "etag": "MDEwMjE5MjA=", "oauth2ClientId": unique}
        if display:
            account["displayName"] = display
        if description:
            account["description"] = description
        return account

    def _project(self, project: str) -> dict[str, Body]:
        if project not in self.state.projects:
            raise _error(404, f"Project {project} not found or deleted.", "NOT_FOUND")
        return self.accounts.setdefault(project, {})

    def _find(self, project: str, key: str) -> tuple[str, Body]:
        """The account a path names (email or unique ID; project ``-`` means any project)."""
        for proj in (self.state.projects if project == "-" else [project]):
            for email, account in self._project(proj).items():
                if key in (email, account["uniqueId"]):
                    return proj, account
        raise _error(404, "Unknown service account", "NOT_FOUND")

    # --- service accounts: segs after v1/projects/P/serviceAccounts ---

    def service_accounts(self, method: str, project: str, rest: list[str], query: dict[str, str],
                         body: Body) -> Body:
        with self.state.lock:
            if not rest:
                if method == "GET":
                    items = sorted(self._project(project).values(), key=lambda a: a["email"])
                    chunk, token = pages.page(items, {"maxResults": query.get("pageSize", ""),
                                                      "pageToken": query.get("pageToken", "")}, limit=100)
                    return {"accounts": copy.deepcopy(chunk), **({"nextPageToken": token} if token else {})}
                if method == "POST":
                    return self._create(project, body)
            elif len(rest) == 1:
                proj, account = self._find(project, rest[0])
                if method == "GET":
                    return copy.deepcopy(account)
                if method == "DELETE":
                    del self.accounts[proj][account["email"]]
                    return {}
                if method in ("PUT", "PATCH"):
                    change = body.get("serviceAccount", body) if method == "PATCH" else body
                    for key in ("displayName", "description"):
                        if key in change:
                            account[key] = change[key]
                    account["etag"] = base64.b64encode(secrets.token_bytes(6)).decode()
                    return copy.deepcopy(account)
            raise _error(404, f"No method {method} for serviceAccounts/{'/'.join(rest)}", "NOT_FOUND")

    def _create(self, project: str, body: Body) -> Body:
        account_id = body.get("accountId") or ""
        if not _ACCOUNT_ID.fullmatch(account_id):
            raise _error(400, f"Invalid account ID: {account_id}. The account ID must be between 6 and 30 "
                         "characters, start with a lowercase letter, and contain only lowercase letters, digits "
                         "and dashes.", "INVALID_ARGUMENT")
        email = f"{account_id}@{project}.iam.gserviceaccount.com"
        accounts = self._project(project)
        if email in accounts:
            raise _error(409, f"Service account {account_id} already exists within project "
                         f"projects/{project}.", "ALREADY_EXISTS")
        details = body.get("serviceAccount") or {}
        accounts[email] = self._account(project, email, details.get("displayName", ""),
                                        details.get("description", ""))
        return copy.deepcopy(accounts[email])

    # --- Resource Manager ---

    def resource_manager(self, method: str, version: str, target: str, body: Body) -> Body:
        """``projects/P`` (GET) and ``projects/P:getIamPolicy`` / ``:setIamPolicy`` (POST)."""
        with self.state.lock:
            project, _, verb = target.partition(":")
            if project not in self.state.projects:
                raise _error(403, "The caller does not have permission", "PERMISSION_DENIED")
            if not verb and method == "GET":
                number = self.state.projects[project].number
                if version == "v3":
                    return {"name": f"projects/{number}", "projectId": project, "state": "ACTIVE",
                            "displayName": project, "parent": "organizations/123456789012"}
                return {"projectNumber": number, "projectId": project, "lifecycleState": "ACTIVE",
                        "name": project, "parent": {"type": "organization", "id": "123456789012"}}
            if verb == "getIamPolicy" and method == "POST":
                return copy.deepcopy(self.policies[project])
            if verb == "setIamPolicy" and method == "POST":
                return self._set_policy(project, body.get("policy") or {})
            raise _error(404, f"No method {method} {target}", "NOT_FOUND")

    def _set_policy(self, project: str, policy: Body) -> Body:
        current = self.policies[project]
        if policy.get("etag") and policy["etag"] != current["etag"]:
            raise _error(409, "There were concurrent policy changes. Please retry the whole read-modify-write "
                         "with exponential backoff.", "ABORTED")
        domain = f"@{project}.iam.gserviceaccount.com"
        for binding in policy.get("bindings") or []:
            if not str(binding.get("role", "")).startswith(("roles/", "projects/", "organizations/")):
                raise _error(400, f"Role {binding.get('role')} is not supported for this resource.",
                             "INVALID_ARGUMENT")
            for member in binding.get("members") or []:
                kind, _, email = member.partition(":")
                if kind == "serviceAccount" and email.endswith(domain) and email not in self.accounts[project]:
                    raise _error(400, f"Service account {email} does not exist.", "INVALID_ARGUMENT")
        stored = {"version": policy.get("version", 1), "etag": _etag(),
                  "bindings": [b for b in copy.deepcopy(policy.get("bindings") or []) if b.get("members")]}
        self.policies[project] = stored
        return copy.deepcopy(stored)
