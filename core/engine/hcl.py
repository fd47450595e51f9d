"""HCL2 values and their formatting, in pure Python.

Tasks describe Terraform resources as plain Python values; this module turns them into HCL2 text laid out
the way ``terraform fmt`` (and upstream kOps's ``kubernetes.tf``) lays it out: keys sorted, ``=`` aligned
across consecutive one-line attributes, maps written one entry per line with quoted keys.

A Python ``dict`` is an HCL map (``tags = { ... }``); a :class:`Block` is a nested block (``ingress { ... }``),
and a list of blocks is a repeated block. :class:`Expr` is an expression written as is (a reference such as
``aws_vpc.main.id`` or a call such as ``file(...)``). ``None``, empty lists and empty maps are left out, as
upstream does. Anything with a ``terraform_ref()`` method (a task) stands for a reference to its resource.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_NOT_IDENTIFIER_CHAR = re.compile(r"[^A-Za-z0-9_-]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: What :func:`quote` replaces, one character at a time: the escapes, other control characters as ``\uXXXX``.
_QUOTED = str.maketrans({**{chr(c): f"\\u{c:04x}" for c in (*range(0x20), 0x7F)}, **_ESCAPES})


@dataclass(frozen=True)
class Expr:
    """An HCL expression written verbatim: ``aws_vpc.main.id``, ``file("...")``, ``aws.files``."""

    text: str

    def __str__(self) -> str:
        return self.text


class Block(dict[str, Any]):
    """A nested block rather than a map: ``Block(protocol="tcp")`` renders as ``key { protocol = "tcp" }``."""


@runtime_checkable
class Referable(Protocol):
    """Something that renders as a reference to a Terraform resource (a task)."""

    def terraform_ref(self, attr: str | None = None) -> Any: ...


def resource_name(name: str) -> str:
    """A resource name Terraform accepts, spelled as upstream kOps spells it.

    Upstream turns ``.`` into ``-``, ``/`` into ``--`` and ``:`` into ``_``, and prefixes a leading digit;
    any other character an identifier cannot hold becomes ``_``.
    """
    if name[:1].isdigit():
        name = f"prefix_{name}"
    name = name.replace(".", "-").replace("/", "--").replace(":", "_")
    return _NOT_IDENTIFIER_CHAR.sub("_", name)


def identifier(key: str) -> str:
    """``key`` unchanged if it is a valid attribute or block name, else a :class:`ValueError`."""
    if not _IDENTIFIER.match(key):
        raise ValueError(f"{key!r} is not a valid HCL attribute name")
    return key


def quote(text: str) -> str:
    """A quoted HCL string literal whose value is exactly ``text`` (no interpolation happens)."""
    body = text.translate(_QUOTED).replace("${", "$${").replace("%{", "%%{")
    return f'"{body}"'


def inline(value: Any) -> str:
    """One value as a one-line HCL expression."""
    if type(value) is str:  # most values: before the checks against abstract classes, which cost far more
        return quote(value)
    if value is None:
        return "null"
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written in HCL")
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Block):
        raise TypeError("a block can only be the value of a body attribute, not part of an expression")
    if isinstance(value, Referable):
        return inline(value.terraform_ref())
    if isinstance(value, Mapping):
        items = ", ".join(f"{quote(str(k))} = {inline(v)}" for k, v in sorted(value.items()))
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, set | frozenset):
        return "[" + ", ".join(sorted(inline(v) for v in value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} in HCL: {value!r}")


def _omitted(value: Any) -> bool:
    if type(value) is str:
        return False
    if value is None:
        return True
    if isinstance(value, Block):
        return False
    return isinstance(value, Mapping | list | tuple | set | frozenset) and not value


def _blocks(value: Any) -> list[Block] | None:
    if type(value) is str:
        return None
    if isinstance(value, Block):
        return [value]
    if isinstance(value, list | tuple) and any(isinstance(v, Block) for v in value):
        if not all(isinstance(v, Block) for v in value):
            raise TypeError("a list mixes blocks with other values")
        return list(value)
    return None


def body_lines(attrs: Mapping[str, Any], depth: int = 1, *, map_keys: bool = False) -> list[str]:
    """The lines of a block body (or, with ``map_keys``, of a map's entries), indented ``depth`` levels."""
    pad = "  " * depth
    lines: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        if group:
            width = max(len(k) for k, _ in group)
            lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in group)
            group.clear()

    for key in sorted(attrs):
        value = attrs[key]
        if _omitted(value):
            continue
        name = quote(key) if map_keys else identifier(key)
        blocks = _blocks(value)
        if blocks is not None:
            if map_keys:
                raise TypeError(f"map entry {key!r} holds a block; blocks belong in a body")
            flush()
            for block in blocks:
                lines.append(f"{pad}{name} {{")
                lines.extend(body_lines(block, depth + 1))
                lines.append(f"{pad}}}")
        elif isinstance(value, Mapping):
            flush()
            lines.append(f"{pad}{name} = {{")
            lines.extend(body_lines(value, depth + 1, map_keys=True))
            lines.append(f"{pad}}}")
        else:
            group.append((name, inline(value)))
    flush()
    return lines


def block(keyword: str, labels: list[str], attrs: Mapping[str, Any]) -> str:
    """A top-level block such as ``resource "aws_vpc" "main" { ... }``, ending with a newline."""
    head = " ".join([keyword, *(quote(label) for label in labels)])
    return "\n".join([f"{head} {{", *body_lines(attrs), "}"]) + "\n"
