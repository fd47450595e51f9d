"""``--set path=value`` and ``--unset path`` on a spec tree, typed by the API models.

Paths use the spec's own field names, as upstream: ``cluster.spec.nodePortAccess=1.2.3.4/32,10.0.0.0/8``
(the ``cluster.`` / ``instancegroup.`` prefix is optional). The value is converted to the field's
type: comma-separated for lists, ``true``/``false`` for booleans, digits for integers; map fields take
the key as the next path element (``spec.kubelet.featureGates.Foo=true``).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from kops.errors import KopsError

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _root_model(kind: str) -> Any:
    from kops import api

    return api.Cluster if kind == "Cluster" else api.InstanceGroup


def _strip_prefix(path: str, kind: str) -> list[str]:
    parts = path.split(".")
    if parts and parts[0].lower() in ("cluster", "instancegroup", "ig"):
        parts = parts[1:]
    return parts


def _unwrap(annotation: Any) -> list[Any]:
    """The non-None alternatives of an annotation (``X | None`` -> ``[X]``)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]


def _is_model(t: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(t, type) and issubclass(t, BaseModel)


def _field(model: Any, name: str) -> Any | None:
    for attr, info in model.model_fields.items():
        if (info.alias or attr) == name or attr == name:
            return info.annotation
    return None


def _plugin_section(name: str) -> Any | None:
    """The model of ``spec.<name>`` when an installed plugin declares that section."""
    from kops.plugins import spec_sections

    section = spec_sections().get(name)
    return section.model if section is not None else None


def _resolve(kind: str, parts: list[str], flag: str, path: str) -> Any:
    """The annotation of the field at ``parts``; unknown paths are an error naming the flag and path."""
    current: Any = _root_model(kind)
    for i, part in enumerate(parts):
        options = _unwrap(current)
        models = [t for t in options if _is_model(t)]
        maps = [t for t in options if typing.get_origin(t) is dict]
        if models:
            found = _field(models[0], part)
            if found is None and kind == "Cluster" and parts[:i] == ["spec"]:
                found = _plugin_section(part)
            if found is None:
                raise KopsError(f"{flag} {path}: unknown field {'.'.join(parts[:i + 1])!r}")
            current = found
        elif maps:
            current = typing.get_args(maps[0])[1]
        else:
            raise KopsError(f"{flag} {path}: {'.'.join(parts[:i])!r} has no field {part!r}")
    return current


def _convert(annotation: Any, raw: str, flag: str, path: str) -> Any:
    options = _unwrap(annotation)
    lists = [t for t in options if typing.get_origin(t) is list]
    if lists:
        (item,) = typing.get_args(lists[0]) or (str,)
        return [_convert(item, v.strip(), flag, path) for v in raw.split(",") if v.strip()]
    if bool in options:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise KopsError(f"{flag} {path}: expected true or false, got {raw!r}")
    if int in options and (raw.lstrip("-").isdigit() or str not in options):
        try:
            return int(raw)
        except ValueError:
            raise KopsError(f"{flag} {path}: expected a whole number, got {raw!r}") from None
    if float in options:
        try:
            return float(raw)
        except ValueError:
            raise KopsError(f"{flag} {path}: expected a number, got {raw!r}") from None
    if any(_is_model(t) or typing.get_origin(t) is dict for t in options):
        raise KopsError(f"{flag} {path}: is an object; set one of its fields instead")
    return raw


def apply_sets(doc: dict[str, Any], assignments: list[str], flag: str = "--set") -> None:
    for item in assignments:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise KopsError(f"{flag} {item!r}: expected PATH=VALUE")
        parts = _strip_prefix(path.strip(), doc["kind"])
        value = _convert(_resolve(doc["kind"], parts, flag, path), raw, flag, path)
        node = doc
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value


def apply_unsets(doc: dict[str, Any], paths: list[str], flag: str = "--unset") -> None:
    for path in paths:
        parts = _strip_prefix(path.strip(), doc["kind"])
        _resolve(doc["kind"], parts, flag, path)  # unknown fields are an error, even when absent
        node: Any = doc
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node.pop(parts[-1], None)
