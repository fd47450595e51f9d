"""Pagination of list calls as Compute does it: ``maxResults`` (at most 500, the default), an opaque
``pageToken`` from the previous page's ``nextPageToken``, and ``orderBy`` (``name`` or
``creationTimestamp desc``)."""

from __future__ import annotations

import base64
import json
from typing import Any

from kops_gce.testing.fakegce.errors import invalid_field

MAX_RESULTS = 500


def max_results(query: dict[str, str], limit: int = MAX_RESULTS) -> int:
    raw = query.get("maxResults")
    if raw in (None, ""):
        return limit
    try:
        value = int(raw)
    except ValueError:
        raise invalid_field("maxResults", raw, "Must be an integer.") from None
    if value < 0:
        raise invalid_field("maxResults", raw, "Must be greater than or equal to 0")
    if value > limit:
        raise invalid_field("maxResults", raw, f"Must be less than or equal to {limit}")
    return value or limit


def start(query: dict[str, str]) -> int:
    token = query.get("pageToken")
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
    except (ValueError, KeyError, TypeError):
        raise invalid_field("pageToken", token, "Invalid page token.") from None


def token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def order(items: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    by = (query.get("orderBy") or "name").strip()
    if by == "name":
        return sorted(items, key=lambda r: r.get("name", ""))
    if by == "creationTimestamp desc":
        return sorted(items, key=lambda r: r.get("creationTimestamp", ""), reverse=True)
    raise invalid_field("orderBy", by, "Only 'name' and 'creationTimestamp desc' are supported.")


def page(items: list[Any], query: dict[str, str], limit: int = MAX_RESULTS) -> tuple[list[Any], str | None]:
    """One page of ``items`` and the token of the next (None on the last page)."""
    size, first = max_results(query, limit), start(query)
    chunk = items[first:first + size]
    return chunk, (token(first + size) if first + size < len(items) else None)
