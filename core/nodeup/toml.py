"""A TOML writer for containerd's configuration: nested tables of strings, numbers, booleans and lists.

The standard library reads TOML but does not write it; containerd's file needs no more than this.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def dumps(tree: dict[str, Any]) -> str:
    """``tree`` as TOML: plain values of a table first, then its sub-tables as ``[a.b]`` sections."""
    lines: list[str] = []
    _table(tree, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(tree: dict[str, Any], path: list[str], lines: list[str]) -> None:
    plain = {k: v for k, v in tree.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in tree.items() if isinstance(v, dict)}
    if path and (plain or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    for key, value in plain.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables.items():
        _table(value, [*path, key], lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
