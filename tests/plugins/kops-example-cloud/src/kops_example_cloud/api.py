"""The example cloud's API client: JSON over HTTP at ``EXAMPLE_CLOUD_ENDPOINT``, with the standard library.

Every kind of resource (``networks``, ``firewallRules``, ``pools``, ``instances``, ``volumes``) has the same five
calls: list (filtered by a label), get, create, update (``PATCH``: the fields given) and delete; instances also
have ``detach``. An error is answered as ``{"error": {"code", "message"}}`` with its HTTP status, and
:data:`ERRORS` tells the engine which of them are worth retrying.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from kops.engine import CloudErrors
from kops.errors import KopsError

#: Where the API is: ``http://127.0.0.1:PORT``.
ENDPOINT_VARIABLE = "EXAMPLE_CLOUD_ENDPOINT"
#: HTTP statuses a later try may not get: throttling and the server's own trouble.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class ApiError(Exception):
    """An error the API answered: its HTTP status, its code (``NotFound``, ``ResourceInUse``...) and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.status, self.code, self.message = status, code, message


class Unreachable(Exception):
    """The API could not be reached (refused, not resolving, timed out, connection lost)."""

    def __init__(self, endpoint: str, reason: object):
        super().__init__(f"{endpoint}: {reason}")
        self.endpoint = endpoint


class ExampleErrors(CloudErrors):
    def transient(self, exc: BaseException) -> bool:
        return isinstance(exc, ApiError) and exc.status in TRANSIENT_STATUSES

    def unreachable(self, exc: BaseException) -> str | None:
        return exc.endpoint if isinstance(exc, Unreachable) else None


ERRORS = ExampleErrors()


class ExampleAPI:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")

    @classmethod
    def from_environment(cls) -> ExampleAPI:
        endpoint = os.environ.get(ENDPOINT_VARIABLE, "")
        if not endpoint:
            raise KopsError(f"{ENDPOINT_VARIABLE} is not set: it names the example cloud's API "
                            "(python -m kops.testing.testbed example starts one and prints it)")
        return cls(endpoint)

    def list(self, kind: str, label: str | None = None) -> list[dict[str, Any]]:
        """Every resource of ``kind``; with ``label``, those carrying it (``KEY``, or ``KEY=VALUE``)."""
        query = "?" + urllib.parse.urlencode({"label": label}) if label else ""
        return list(self._call("GET", f"/v1/{kind}{query}")["items"])

    def get(self, kind: str, resource_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/v1/{kind}/{resource_id}"))

    def create(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", f"/v1/{kind}", body))

    def update(self, kind: str, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("PATCH", f"/v1/{kind}/{resource_id}", body))

    def delete(self, kind: str, resource_id: str) -> None:
        self._call("DELETE", f"/v1/{kind}/{resource_id}")

    def detach(self, instance_id: str) -> dict[str, Any]:
        """Take an instance out of its pool, which launches a replacement; the instance keeps running."""
        return dict(self._call("POST", f"/v1/instances/{instance_id}/detach", {}))

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            error = _error_body(exc)
            raise ApiError(exc.code, error.get("code", "Unknown"), error.get("message", exc.reason)) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise Unreachable(self.endpoint, getattr(exc, "reason", exc)) from exc
        return json.loads(payload) if payload else None


def _error_body(exc: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        return dict(json.loads(exc.read())["error"])
    except (ValueError, KeyError, TypeError):
        return {}
