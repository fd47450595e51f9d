"""The GCE handle a run works with: the project, the region, Compute clients made on first use
(google-cloud-compute on its REST transport, following gcloud's endpoint override, see
:mod:`kops_gce.clients`), and how the API's errors read (:data:`ERRORS`).

Listings are dicts with the API's field names in snake_case (``self_link``, ``ip_cidr_range``), as
``proto-plus`` gives them, so tasks and deletions read one shape whether a resource was listed or just made.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from kops.engine import CloudErrors
from kops.errors import KopsError

from kops_gce.clients import api_root, compute_client, compute_endpoint, rest_session

#: How long one call to a REST API (IAM, Resource Manager) may take (seconds).
REST_TIMEOUT = 60
#: How long one operation may take before the run gives up on it (seconds).
OPERATION_TIMEOUT = 600
#: HTTP statuses a later try may not get: throttling and the service's own trouble.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Google's reasons for a 400 that clears by itself (a resource still being made or changed).
TRANSIENT_REASONS = frozenset({"resourceNotReady", "resourceInUseByAnotherResource"})


def status(exc: BaseException) -> int | None:
    """The HTTP status of a Google API error, or None for anything else."""
    code = getattr(exc, "code", None)
    return int(code) if isinstance(code, int) else None


def not_found(exc: BaseException) -> bool:
    return status(exc) == 404


class GCEErrors(CloudErrors):
    def transient(self, exc: BaseException) -> bool:
        code = status(exc)
        if code in TRANSIENT_STATUSES:
            return True
        reasons = {getattr(e, "get", lambda _k: None)("reason") for e in getattr(exc, "errors", None) or []}
        return code == 400 and bool(reasons & TRANSIENT_REASONS)

    def unreachable(self, exc: BaseException) -> str | None:
        import requests

        if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
            request = getattr(exc, "request", None)
            return getattr(request, "url", None) or compute_endpoint() or "https://compute.googleapis.com"
        return None

    def explain(self, exc: BaseException) -> str | None:
        from google.auth.exceptions import DefaultCredentialsError, RefreshError

        if isinstance(exc, DefaultCredentialsError):
            return ("no Google credentials: run gcloud auth application-default login, or set "
                    "GOOGLE_APPLICATION_CREDENTIALS to a service account's key file")
        if isinstance(exc, RefreshError):
            return f"Google refused the credentials: {exc}"
        if status(exc) == 403:
            url = str(getattr(getattr(getattr(exc, "response", None), "request", None), "url", "") or "")
            if "/serviceAccounts" in url or "IamPolicy" in url:
                return (f"IAM refused: {getattr(exc, 'message', exc)} (does the account have the Service Account "
                        "Admin and Project IAM Admin roles?)")
            return f"GCE refused: {getattr(exc, 'message', exc)} (does the account have the Compute Admin role?)"
        return None


ERRORS = GCEErrors()


def as_dict(message: Any) -> dict[str, Any]:
    """A Compute message as a dict with snake_case fields and enums by name."""
    return type(message).to_dict(message, use_integers_for_enums=False)


class GCE:
    """One project and region, and the Compute clients a run has needed so far."""

    def __init__(self, project: str, region: str):
        if not project:
            raise KopsError("spec.project: required on GCE (kops create cluster --project, or gcloud's project)")
        self.project, self.region = project, region
        self._clients: dict[str, Any] = {}
        self._session: Any = None
        self._lock = threading.Lock()

    @classmethod
    def for_cluster(cls, cluster: Any, cloud: Any) -> GCE:
        return cls(str(cluster.spec.project or os.environ.get("GOOGLE_CLOUD_PROJECT", "")), cloud.region(cluster))

    def compute(self, name: str) -> Any:
        """The ``google.cloud.compute_v1`` client ``<name>Client`` (``compute("Networks")``), made once."""
        if name not in self._clients:
            from google.cloud import compute_v1

            self._clients[name] = compute_client(getattr(compute_v1, name + "Client"))
        return self._clients[name]

    def rest(self, api: str, method: str, path: str, body: dict[str, Any] | None = None,
             params: dict[str, str] | None = None) -> dict[str, Any]:
        """A call to one of Google's REST APIs that have no client here (``iam``, ``cloudresourcemanager``):
        ``path`` follows the API's root (``v1/projects/P/serviceAccounts``); the answer's JSON, or, for an error,
        google-api-core's exception for its status (with the int ``code`` the run's retries read)."""
        from google.api_core.exceptions import from_http_response

        with self._lock:
            if self._session is None:
                self._session = rest_session()
        response = self._session.request(method, api_root(api) + path, json=body, params=params,
                                         timeout=REST_TIMEOUT)
        if response.status_code >= 400:
            raise from_http_response(response)
        return response.json() if response.content else {}

    def wait(self, operation: Any) -> None:
        """Wait for an operation (what insert, patch, delete... return) to finish; its error is raised."""
        operation.result(timeout=OPERATION_TIMEOUT)

    def list(self, name: str, scope: dict[str, str] | None = None, filter: str | None = None,
             ) -> list[dict[str, Any]]:
        """Every resource a client's ``list`` gives in the project (and ``scope``: ``{"region": ...}`` or
        ``{"zone": ...}``), following pages."""
        request: dict[str, Any] = {"project": self.project, **(scope or {})}
        if filter:
            request["filter"] = filter
        return [as_dict(item) for item in self.compute(name).list(request=request)]

    def aggregated(self, name: str, filter: str | None = None) -> list[dict[str, Any]]:
        """Every resource of a zonal or regional type in the project's zones (or regions) of this run's region."""
        request: dict[str, Any] = {"project": self.project}
        if filter:
            request["filter"] = filter
        found = []
        for scope, scoped in self.compute(name).aggregated_list(request=request):
            where = scope.split("/")[-1]
            if where != self.region and not where.startswith(self.region + "-"):
                continue
            for field in type(scoped).meta.fields:
                if field != "warning":
                    found += [as_dict(item) for item in getattr(scoped, field)]
        return found
