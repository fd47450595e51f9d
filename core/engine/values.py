"""Field values as plans show them: plain JSON data, references by name, secrets hidden.

A plan holds only such plain values, never task objects or secrets, so it can be printed, serialised,
saved to a file and compared without reaching back into the tasks that produced it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from kops.engine.task import SENSITIVE, Task


@dataclasses.dataclass(frozen=True)
class Ref:
    """A reference to another resource, shown by label (``Network/main``) rather than by its ID."""

    label: str


def plain(value: Any) -> Any:
    """``value`` as JSON-compatible data, with tasks replaced by :class:`Ref`."""
    if value is None or isinstance(value, bool | int | float | str | Ref):
        return value
    if isinstance(value, Task):
        return Ref(str(value))
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes, sha256 {hashlib.sha256(value).hexdigest()[:16]}>"
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=canonical)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "model_dump"):  # pydantic models from the API types
        return plain(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    return str(value)


def shown(task: Task, field: str, value: Any) -> Any:
    """What a plan may show of one field's value: plain, or the sensitive marker for a secret."""
    if field in task.field_spec().secrets and value is not None:
        return SENSITIVE
    return plain(value)


def fingerprinted(task: Task, field: str, value: Any) -> Any:
    """What a state fingerprint records of one field: plain, or a digest of a secret (changes still show)."""
    if field in task.field_spec().secrets and value is not None:
        return "sha256:" + digest(plain(value))
    return plain(value)


def _encode(value: Any) -> Any:
    if isinstance(value, Ref):
        return {"ref": value.label}
    raise TypeError(f"not plain data: {value!r}")


def to_json(value: Any, **kwargs: Any) -> str:
    """Plain data as JSON; a reference becomes ``{"ref": "Network/main"}``."""
    return json.dumps(value, default=_encode, **kwargs)


def from_json(value: Any) -> Any:
    """The inverse of :func:`to_json` on parsed data: ``{"ref": ...}`` becomes a :class:`Ref` again."""
    if isinstance(value, dict):
        if value.keys() == {"ref"} and isinstance(value["ref"], str):
            return Ref(value["ref"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """A stable text form of plain data, for sorting and hashing."""
    return to_json(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value: Any) -> str:
    """SHA-256 of the canonical form of plain data."""
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def display(value: Any) -> str:
    """Plain data as a plan's text shows it: strings quoted, references bare, the sensitive marker bare."""
    if value == SENSITIVE or isinstance(value, Ref):
        return value.label if isinstance(value, Ref) else SENSITIVE
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {display(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(display(v) for v in value) + "]"
    return json.dumps(value)
