"""Pagination as the real API does it: ``page`` and ``per_page`` (20 by default, at most 200) in the query;
``links.pages`` with absolute ``first``/``prev``/``next``/``last`` URLs where they exist (``links`` is empty
when everything fits on one page), and ``meta.total``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from kops_digitalocean.testing.do_api.messages import Request

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def paginate(req: Request, key: str, items: Sequence[Any], render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of ``items`` under ``key``, each rendered, with the links to the others."""
    per_page = min(max(_number(req.query.get("per_page"), DEFAULT_PER_PAGE), 1), MAX_PER_PAGE)
    page = max(_number(req.query.get("page"), 1), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page: page * per_page]
    others = {k: v for k, v in req.query.items() if k not in ("page", "per_page")}

    def link(number: int) -> str:
        return f"{req.base_url}{req.path}?" + urlencode({"page": number, "per_page": per_page, **others})

    pages: dict[str, str] = {}
    if page > 1:
        pages["first"] = link(1)
        pages["prev"] = link(min(page - 1, last))
    if page < last:
        pages["last"] = link(last)
        pages["next"] = link(page + 1)
    return {key: [render(item) for item in chunk], "links": {"pages": pages} if pages else {},
            "meta": {"total": len(items)}}
