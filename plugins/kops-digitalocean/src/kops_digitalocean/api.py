"""The DigitalOcean handle a run works with: python-digitalocean's ``Manager`` (its token and endpoint from
``DIGITALOCEAN_ACCESS_TOKEN`` and ``DIGITALOCEAN_END_POINT``, as the library reads them), called through its
``get_data`` so every answer is the API's own JSON, and how the API's errors read (:data:`ERRORS`).

python-digitalocean raises ``NotFoundError`` for a 404 and ``DataReadError`` with the API's message, without the
status, for any other error: throttling and the service's own trouble are recognised by their messages.
"""

from __future__ import annotations

import os
from typing import Any

from kops.engine import CloudErrors
from kops.errors import KopsError

TOKEN_VARIABLE = "DIGITALOCEAN_ACCESS_TOKEN"
ENDPOINT_VARIABLE = "DIGITALOCEAN_END_POINT"
DEFAULT_ENDPOINT = "https://api.digitalocean.com/v2/"
#: The API's messages for answers a later try may not get: 429, 5xx, a Droplet busy with another event, and
#: deletions the API finishes in the background (a VPC still counting a deleted Droplet, a volume still attached).
TRANSIENT_MESSAGES = (
    "API Rate limit exceeded.",
    "Unexpected server-side error",
    "The service is temporarily unavailable. Please try again later.",
    "Server was unable to give you a response.",
    "Droplet already has a pending event.",
    "Can not delete VPC with members",
    "A volume that's attached to a Droplet cannot be deleted.",
)
UNAUTHORIZED_MESSAGE = "Unable to authenticate you"


def endpoint() -> str:
    return os.environ.get(ENDPOINT_VARIABLE) or DEFAULT_ENDPOINT


def is_not_found(exc: BaseException) -> bool:
    from digitalocean import NotFoundError

    return isinstance(exc, NotFoundError)


class DOErrors(CloudErrors):
    def transient(self, exc: BaseException) -> bool:
        from digitalocean.baseapi import DataReadError, JSONReadError

        if isinstance(exc, JSONReadError):  # a gateway's HTML page instead of the API's JSON
            return True
        return isinstance(exc, DataReadError) and str(exc).startswith(TRANSIENT_MESSAGES)

    def unreachable(self, exc: BaseException) -> str | None:
        import requests

        if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
            return endpoint()
        return None

    def explain(self, exc: BaseException) -> str | None:
        from digitalocean import DataReadError, EndPointError, TokenError

        if isinstance(exc, TokenError):
            return f"{TOKEN_VARIABLE} is not set: it holds the DigitalOcean API token kops works with"
        if isinstance(exc, DataReadError) and str(exc).startswith(UNAUTHORIZED_MESSAGE):
            return f"{TOKEN_VARIABLE} was refused by the DigitalOcean API ({exc}): set a valid API token"
        if isinstance(exc, EndPointError):
            return f"{ENDPOINT_VARIABLE} {endpoint()!r} is not a URL"
        return None


ERRORS = DOErrors()


class DigitalOcean:
    """The region's API: ``get``, ``post``, ``put`` and ``delete`` of paths below ``/v2/``, answering the JSON."""

    def __init__(self, region: str):
        self.region = region
        self._manager: Any = None

    @property
    def manager(self) -> Any:
        if self._manager is None:
            import digitalocean

            token = os.environ.get(TOKEN_VARIABLE, "")
            if not token:
                raise KopsError(ERRORS.explain(digitalocean.TokenError()) or TOKEN_VARIABLE)
            self._manager = digitalocean.Manager(token=token, end_point=endpoint())
        return self._manager

    def get(self, path: str, **params: Any) -> Any:
        return self.manager.get_data(path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        from digitalocean.baseapi import POST

        return self.manager.get_data(path, type=POST, params=body)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        from digitalocean.baseapi import PUT

        return self.manager.get_data(path, type=PUT, params=body)

    def delete(self, path: str, body: dict[str, Any] | None = None) -> None:
        """Delete; a resource already gone is what deleting wanted."""
        from digitalocean.baseapi import DELETE

        try:
            self.manager.get_data(path, type=DELETE, params=body or {})
        except Exception as exc:
            if not is_not_found(exc):
                raise

    def check_region(self) -> None:
        """Refuse in one line a region the account does not have (before anything is made); the call also proves
        the token."""
        try:
            regions = self.get("regions")["regions"]
        except KopsError:
            raise
        except Exception as exc:
            if ERRORS.unreachable(exc):
                raise KopsError(f"cannot reach the DigitalOcean API at {endpoint()}: check {ENDPOINT_VARIABLE} and "
                                "the network") from None
            raise KopsError(ERRORS.explain(exc) or f"DigitalOcean API: {exc}") from None
        slugs = sorted(r["slug"] for r in regions)
        if self.region not in slugs:
            raise KopsError(f"spec.subnets[0].region: DigitalOcean has no region {self.region!r} "
                            f"(it has {', '.join(slugs)})")
