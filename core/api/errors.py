"""One-line errors that point at a field of a manifest document, in upstream's path notation."""

import types
import typing
from collections.abc import Mapping
from typing import Any

from kops.errors import FieldError
from pydantic import BaseModel, ValidationError


class ManifestError(FieldError):
    """A field error located in a document of a manifest, e.g. ``in.yaml: Cluster/foo: spec.subnets[0].cidr: ...``.

    ``path`` and ``reason`` are as in :class:`FieldError`; ``source`` names the file and ``document`` the
    object (``Kind/name``), so the user can find the line to fix.
    """

    def __init__(self, path: str, reason: str, *, document: str = "", source: str = ""):
        super().__init__(path, reason)
        self.document = document
        self.source = source
        prefix = ": ".join(part for part in (source, document) if part)
        if prefix:
            self.args: tuple[Any, ...] = (f"{prefix}: {self.args[0]}",)


_EXPECTED = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "int_from_float": "expected an integer",
    "bool_type": "expected a boolean",
    "float_type": "expected a number",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "list_type": "expected a list",
}


def describe(value: Any) -> str:
    """The YAML type of ``value`` as a user would name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _reason(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return f"must be {error['ctx']['expected']}"
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {describe(error.get('input'))}"
    return str(error["msg"]).splitlines()[0].removeprefix("Value error, ")


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` so what remains is a model, list, dict or scalar type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def field_path(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as ``spec.subnets[0].cidr`` / ``metadata.labels[key]``.

    The model is walked alongside the location so that a map key is shown in brackets, like a list index,
    and a field is shown by its JSON name even when the Python attribute differs (``class_``).
    """
    path = ""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(part, int):
            path += f"[{part}]"
            tp = typing.get_args(tp)[0] if origin is list else Any
        elif origin is dict:
            path += f"[{part}]"
            tp = typing.get_args(tp)[1]
        elif part == "[key]":
            continue
        else:
            field = None
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                field = next((f for n, f in tp.model_fields.items() if part in (n, f.alias)), None)
            name = (field.alias if field else None) or part
            path += f".{name}" if path else str(name)
            tp = field.annotation if field else Any
    return path


def from_validation_error(
    model: type[BaseModel], exc: ValidationError, *, document: str = "", source: str = ""
) -> ManifestError:
    """The first problem pydantic found, as a one-line :class:`ManifestError`; the count of others is appended."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = field_path(model, first["loc"])
    reason = _reason(first)
    if len(errors) > 1:
        more = len(errors) - 1
        reason += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ManifestError(path, reason, document=document, source=source)
