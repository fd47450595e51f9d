"""A request as the fake's handlers see it, and the answer they give."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api.errors import bad_request


@dataclass
class Request:
    method: str
    #: The path below ``/v2/``, without slashes at either end: ``droplets/123/actions``.
    path: str
    #: The query string's parameters, the first value of each.
    query: dict[str, str]
    #: The JSON body (``{}`` when there is none).
    body: dict[str, Any]
    #: ``http://HOST:PORT/v2/`` as the client addressed it, for the links the answer carries.
    base_url: str

    def text(self, name: str) -> str:
        """A body field that must be a string when given (``None`` when absent or null)."""
        value = self.body.get(name)
        if value is not None and not isinstance(value, str):
            raise bad_request(f"{name} must be a string")
        return value

    def strings(self, name: str) -> list[str]:
        """A body field that must be a list of strings when given (``[]`` when absent or null)."""
        value = self.body.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request(f"{name} must be an array of strings")
        return list(value)


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


NO_CONTENT = Reply(204)
