"""HttpHealthCheck: the legacy HTTP health check a target pool needs (target pools take no other kind).

The public API load balancer's target pool sends only to control-plane machines whose kube-apiserver-healthcheck
answers on port 3990 at ``/healthz``, so a machine still booting, or whose API server is down, gets no clients.
The type takes no labels: its ``description`` names the cluster that owns it.

google-cloud-compute has no client for this legacy collection, so it is called over REST (``compute/v1``, at
gcloud's Compute endpoint override when one is set) through the run's handle; its listing is turned into the
snake_case fields every other listing has.
"""

from __future__ import annotations

import re
import time
from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.api import OPERATION_TIMEOUT, not_found, status
from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask

COLLECTION = "httpHealthChecks"


class HttpHealthCheck(GCETask):
    port: int | None = None
    request_path: str | None = None
    #: Whose it is (:func:`kops_gce.labels.owner_description`); written once, never compared.
    description: str | None = None
    self_link: str | None = None

    api_kind = COLLECTION
    scope = "global"
    ignored_fields = {"description"}
    terraform_type = "google_compute_http_health_check"
    terraform_id_attr = "self_link"

    def find(self, ctx: Context) -> HttpHealthCheck | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return HttpHealthCheck(name=self.name, lifecycle=self.lifecycle, port=raw.get("port"),
                               request_path=raw.get("request_path"), description=raw.get("description"),
                               self_link=raw["self_link"])

    def render_direct(self, ctx: Context, actual: HttpHealthCheck | None, changes: Changes) -> None:
        body = {k: v for k, v in {"name": self.name, "port": self.port, "requestPath": self.request_path}.items()
                if v is not None}
        if actual is not None:
            call(ctx.cloud, "PATCH", f"global/{COLLECTION}/{self.name}", body)
            return
        if self.description:
            body["description"] = self.description
        try:
            call(ctx.cloud, "POST", f"global/{COLLECTION}", body)
        except Exception as exc:  # noqa: BLE001 - only "already exists" is swallowed: an earlier try of this run
            if status(exc) != 409:
                raise
        self.self_link = call(ctx.cloud, "GET", f"global/{COLLECTION}/{self.name}")["selfLink"]

    def delete_direct(self, ctx: Context) -> None:
        try:
            call(ctx.cloud, "DELETE", f"global/{COLLECTION}/{self.name}")
        except Exception as exc:  # noqa: BLE001 - only Google's 404 is swallowed: gone is what deleting wanted
            if not not_found(exc):
                raise

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner description."""
        tf.add_resource("google_compute_http_health_check", self.name, {
            "name": self.name,
            "port": self.port,
            "request_path": self.request_path,
        })


def call(api: Any, method: str, path: str, body: dict[str, Any] | None = None,
         params: dict[str, str] | None = None) -> dict[str, Any]:
    """A ``compute/v1`` call for the project (``path`` follows ``projects/P/``); an operation it starts is waited
    for, and its error raised as the API's error."""
    from kops_gce.clients import api_root

    prefix = "" if api_root("compute").endswith("/compute/v1/") else "compute/v1/"
    answer = api.rest("compute", method, f"{prefix}projects/{api.project}/{path}", body, params)
    if answer.get("kind") != "compute#operation":
        return answer
    deadline = time.monotonic() + OPERATION_TIMEOUT
    while answer.get("status") != "DONE":
        if time.monotonic() > deadline:
            raise TimeoutError(f"GCE operation {answer.get('name')} did not finish in {OPERATION_TIMEOUT} s")
        answer = api.rest("compute", "POST", f"{prefix}projects/{api.project}/global/operations/{answer['name']}/wait")
    if answer.get("error"):
        from google.api_core.exceptions import from_http_status

        errors = answer["error"].get("errors") or []
        message = "; ".join(e.get("message", "") for e in errors) or "the operation failed"
        raise from_http_status(int(answer.get("httpErrorStatusCode") or 400), message,
                               errors=[{"reason": _reason(e.get("code", ""))} for e in errors])
    return answer


def _reason(code: str) -> str:
    """An operation error's code as the API's reason (``RESOURCE_NOT_READY`` -> ``resourceNotReady``)."""
    head, *rest = code.lower().split("_")
    return head + "".join(w.capitalize() for w in rest)


def snake(raw: dict[str, Any]) -> dict[str, Any]:
    """A REST answer's fields in snake_case, as google-cloud-compute's listings have them."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in raw.items()}


@DISCOVERY.register(COLLECTION)
def list_http_health_checks(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = None
    while True:
        page = call(api, "GET", f"global/{COLLECTION}", params={"pageToken": token} if token else None)
        found += [snake(item) for item in page.get("items") or []]
        token = page.get("nextPageToken")
        if not token:
            return found


@DISCOVERY.register_deletions(COLLECTION)
def delete_http_health_checks(snapshot: Snapshot, cluster_name: str) -> list[HttpHealthCheck]:
    return [HttpHealthCheck(name=r["name"], self_link=r["self_link"])
            for r in owned_in(snapshot, COLLECTION, cluster_name)]
