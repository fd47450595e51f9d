"""``--set path=value`` and ``--unset path`` on a spec tree, typed by the API models, as upstream reads them.

Paths use the spec's own field names, as ``kops create cluster --set`` and ``kops edit --set`` take them
(the ``cluster.`` / ``instancegroup.`` prefix is optional):

* ``[N]`` indexes a list: an element that is there, or the one just past the end (N equal to the length),
  which is added; an index further on is an error, so lists never get gaps. ``[*]`` is every element there
  is. A negative index is an error. ``cluster.spec.addons[0].manifest=s3://...`` adds the first add-on.
* A list given a value appends to it, one element per comma: ``spec.nodePortAccess=10.0.0.0/8,192.168.0.0/16``
  adds two CIDRs to those there (``--unset`` it first to replace them). A list of environment variables takes
  ``NAME=VALUE`` elements: ``spec.etcdClusters[0].manager.env=ETCD_QUOTA=8589934592``.
* A map given ``KEY=VALUE`` gets that key (``spec.cloudLabels=team=blue``); the key may also follow the field in
  the path, dots and all (``spec.kubelet.featureGates.Foo=true``, ``spec.cloudLabels.k8s.io/team=blue``).
* An object given an empty value is created empty: ``spec.api.dns=`` chooses DNS to reach the API.
* Other values are converted to the field's type: ``true``/``false``, whole numbers, text.

``--unset`` removes a field, a map key or a list element (``[N]``; ``[*]`` every element). Upstream leaves an
empty element in the list where one is unset, which no spec accepts, so here it is removed.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from kops.errors import KopsError

_TRUE = {"true", "1", "yes", "on", "t"}
_FALSE = {"false", "0", "no", "off", "f"}
#: The text of one field name or map key in a path: everything up to the next dot or bracket.
_NAME = re.compile(r"[^.\[\]]+")

FIELD, INDEX, EVERY = "field", "index", "every"


@dataclass(frozen=True)
class _Step:
    """One element of a path: a field (or map key), a list index, or every element (``[*]``)."""

    kind: str
    name: str = ""
    index: int = 0
    #: Where the element starts in the path text, so that a map key can take the rest of it.
    start: int = 0


@dataclass(frozen=True)
class _Target:
    """One ``--set``/``--unset`` path, parsed, with what errors name it by."""

    flag: str
    path: str
    steps: list[_Step]

    def fail(self, message: str) -> KopsError:
        return KopsError(f"{self.flag} {self.path}: {message}")

    def before(self, i: int) -> str:
        """The path text up to step ``i`` (``spec.etcdClusters`` for the ``[0]`` of ``spec.etcdClusters[0]``)."""
        return self.path[:self.steps[i].start].rstrip(".") if i < len(self.steps) else self.path

    def rest(self, i: int) -> str:
        return self.path[self.steps[i].start:]


def _parse(path: str, flag: str) -> _Target:
    """``spec.etcdClusters[0].manager.env[1].name`` into its steps; the kind prefix (``cluster.``) is dropped."""
    for prefix in ("cluster.", "instancegroup.", "ig."):
        if path.lower().startswith(prefix):
            path = path[len(prefix):]
            break
    steps: list[_Step] = []
    i = 0
    while i < len(path):
        if path[i] == ".":
            i += 1
        elif path[i] == "[":
            end = path.find("]", i)
            if end < 0:
                raise KopsError(f"{flag} {path}: a [ is not closed")
            inner = path[i + 1:end].strip()
            if inner == "*":
                steps.append(_Step(EVERY, start=i))
            elif inner.isdigit() and inner.isascii():
                steps.append(_Step(INDEX, index=int(inner), start=i))
            else:
                raise KopsError(f"{flag} {path}: [{inner}] is not a list index: use [0], [1]... or [*]")
            i = end + 1
        else:
            match = _NAME.match(path, i)
            assert match is not None  # the character at i is neither a dot nor a bracket
            steps.append(_Step(FIELD, name=match.group(), start=i))
            i = match.end()
    if not steps or steps[0].kind != FIELD:
        raise KopsError(f"{flag} {path}: expected a field path such as spec.kubernetesVersion")
    return _Target(flag, path, steps)


# --- what the models say a path is ----------------------------------------------------------------


def _root_model(kind: str) -> Any:
    from kops import api

    return api.Cluster if kind == "Cluster" else api.InstanceGroup


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


def _shape(annotation: Any) -> tuple[str, Any]:
    """What a field holds: ("model", class), ("map", value annotation), ("list", item annotation) or
    ("scalar", annotation)."""
    options = _unwrap(annotation)
    for t in options:
        if _is_model(t):
            return "model", t
    for t in options:
        if typing.get_origin(t) is dict:
            return "map", (typing.get_args(t) or (str, Any))[1]
    for t in options:
        if typing.get_origin(t) is list:
            return "list", (typing.get_args(t) or (str,))[0]
    return "scalar", annotation


def _field(model: Any, name: str) -> tuple[str, Any] | None:
    """The field's name as the spec writes it, and its annotation."""
    for attr, info in model.model_fields.items():
        if (info.alias or attr) == name or attr == name:
            return info.alias or attr, info.annotation
    return None


def _plugin_section(name: str) -> Any | None:
    """The model of ``spec.<name>`` when an installed plugin declares that section."""
    from kops.plugins import spec_sections

    section = spec_sections().get(name)
    return section.model if section is not None else None


def _member(target: _Target, kind: str, model: Any, i: int) -> tuple[str, Any]:
    """Field ``steps[i]`` of ``model``, or an error naming the path up to it."""
    step = target.steps[i]
    found = _field(model, step.name)
    if found is None and kind == "Cluster" and [s.name for s in target.steps[:i]] == ["spec"]:
        section = _plugin_section(step.name)
        found = (step.name, section) if section is not None else None
    if found is None:
        raise target.fail(f"unknown field {target.path[:step.start + len(step.name)]!r}")
    return found


def _check(target: _Target, kind: str) -> None:
    """Fail on a path the models do not have, whether or not the spec has anything there."""
    annotation: Any = _root_model(kind)
    for i, step in enumerate(target.steps):
        shape, inner = _shape(annotation)
        if shape == "map":
            return  # the rest is a key
        if shape == "model" and step.kind == FIELD:
            annotation = _member(target, kind, inner, i)[1]
        elif shape == "list" and step.kind != FIELD:
            annotation = inner
        else:
            raise _misfit(target, i, shape)


def _misfit(target: _Target, i: int, shape: str) -> KopsError:
    where = target.before(i)
    step = target.steps[i]
    if shape == "list":
        return target.fail(f"{where!r} is a list: index it, as {where}[0] or {where}[*]")
    if step.kind != FIELD:
        return target.fail(f"{where!r} is not a list")
    return target.fail(f"{where!r} has no field {step.name!r}")


# --- --set ----------------------------------------------------------------------------------------------


def _scalar(annotation: Any, raw: str, target: _Target) -> Any:
    options = _unwrap(annotation)
    if bool in options:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise target.fail(f"expected true or false, got {raw!r}")
    if int in options and (raw.lstrip("-").isdigit() or str not in options):
        try:
            return int(raw)
        except ValueError:
            raise target.fail(f"expected a whole number, got {raw!r}") from None
    if float in options:
        try:
            return float(raw)
        except ValueError:
            raise target.fail(f"expected a number, got {raw!r}") from None
    return raw


def _env_var(model: Any) -> bool:
    """Whether list elements of this model are written ``NAME=VALUE`` (upstream's EnvVar)."""
    return {info.alias or attr for attr, info in model.model_fields.items()} == {"name", "value"}


def _element(annotation: Any, raw: str, target: _Target) -> Any:
    """One list element from its text: a scalar, or an environment variable from ``NAME=VALUE``."""
    shape, inner = _shape(annotation)
    if shape == "model" and _env_var(inner):
        name, sep, value = raw.partition("=")
        return {"name": name, "value": value} if sep else {"name": name}
    if shape == "model":
        raise target.fail(f"{target.path!r} holds objects: set their fields, as {target.path}[0].FIELD=VALUE")
    if shape != "scalar":
        raise target.fail(f"{target.path!r} holds lists or maps: set them by index")
    return _scalar(inner, raw, target)


def _final(node: Any, annotation: Any, raw: str, target: _Target) -> Any:
    """The new value of the field a path ends at, given ``raw``."""
    shape, inner = _shape(annotation)
    if shape == "list":
        items = list(node) if isinstance(node, list) else []
        return items + [_element(inner, v.strip(), target) for v in raw.split(",") if v.strip()]
    if shape in ("model", "map") and raw == "":
        return node if isinstance(node, dict) else {}  # created empty, as upstream does
    if shape == "map":
        key, sep, value = raw.partition("=")
        if not key:
            raise target.fail(f"expected KEY=VALUE for the map {target.path!r}")
        merged = dict(node) if isinstance(node, dict) else {}
        merged[key] = _final(merged.get(key), inner, value, target) if sep else ""
        return merged
    if shape == "model" and _env_var(inner):
        return _element(annotation, raw, target)
    if shape == "model":
        raise target.fail(f"{target.path!r} is an object: set one of its fields, as {target.path}.FIELD=VALUE")
    return _scalar(inner, raw, target)


def _set(node: Any, annotation: Any, i: int, raw: str, target: _Target, kind: str) -> Any:
    """``node`` (the value at ``steps[:i]``, None when absent) with ``steps[i:]`` set to ``raw``."""
    if i == len(target.steps):
        return _final(node, annotation, raw, target)
    shape, inner = _shape(annotation)
    step = target.steps[i]
    if shape == "model" and step.kind == FIELD:
        name, sub = _member(target, kind, inner, i)
        tree = dict(node) if isinstance(node, dict) else {}
        tree[name] = _set(tree.get(name), sub, i + 1, raw, target, kind)
        return tree
    if shape == "map" and step.kind == FIELD:
        tree = dict(node) if isinstance(node, dict) else {}
        if _shape(inner)[0] in ("scalar", "list"):
            key = target.rest(i)  # a key may hold dots: spec.cloudLabels.k8s.io/team
            tree[key] = _final(tree.get(key), inner, raw, target)
        else:
            tree[step.name] = _set(tree.get(step.name), inner, i + 1, raw, target, kind)
        return tree
    if shape == "list" and step.kind != FIELD:
        items = list(node) if isinstance(node, list) else []
        if step.kind == EVERY:
            if not items:
                raise target.fail(f"{target.before(i)!r} has no elements for [*] to set")
            return [_set(item, inner, i + 1, raw, target, kind) for item in items]
        if step.index > len(items):
            raise target.fail(f"{target.before(i)!r} has {len(items)} element(s): [{len(items)}] adds one, "
                              f"[{step.index}] would leave a gap")
        if step.index == len(items):
            items.append(None)
        items[step.index] = _set(items[step.index], inner, i + 1, raw, target, kind)
        return items
    raise _misfit(target, i, shape)


def apply_sets(doc: dict[str, Any], assignments: list[str], flag: str = "--set") -> None:
    """Apply each ``PATH=VALUE`` to the spec tree ``doc`` (a Cluster or an InstanceGroup), in order."""
    for item in assignments:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            raise KopsError(f"{flag} {item!r}: expected PATH=VALUE")
        target = _parse(path.strip(), flag)
        _check(target, doc["kind"])
        updated = _set(doc, _root_model(doc["kind"]), 0, raw, target, doc["kind"])
        doc.clear()
        doc.update(updated)


# --- --unset --------------------------------------------------------------------------------------------


def _unset(node: Any, annotation: Any, i: int, target: _Target, kind: str) -> Any:
    """``node`` without what ``steps[i:]`` names; a path the spec has nothing at leaves it as it is."""
    shape, inner = _shape(annotation)
    step = target.steps[i]
    last = i == len(target.steps) - 1
    if shape == "map":
        if not isinstance(node, dict):
            return node
        tree = dict(node)
        if _shape(inner)[0] in ("scalar", "list") or last:
            tree.pop(target.rest(i), None)
        elif step.name in tree:
            tree[step.name] = _unset(tree[step.name], inner, i + 1, target, kind)
        return tree
    if shape == "model":
        name, sub = _member(target, kind, inner, i)
        if not isinstance(node, dict) or name not in node:
            return node
        tree = dict(node)
        if last:
            del tree[name]
        else:
            tree[name] = _unset(tree[name], sub, i + 1, target, kind)
        return tree
    items = list(node) if isinstance(node, list) else []
    if step.kind == EVERY:
        return [] if last else [_unset(item, inner, i + 1, target, kind) for item in items]
    if step.index >= len(items):
        raise target.fail(f"{target.before(i)!r} has {len(items)} element(s), no [{step.index}]")
    if last:
        del items[step.index]
    else:
        items[step.index] = _unset(items[step.index], inner, i + 1, target, kind)
    return items


def apply_unsets(doc: dict[str, Any], paths: list[str], flag: str = "--unset") -> None:
    """Remove each path from the spec tree ``doc``; a path the models do not have is an error even when absent."""
    for path in paths:
        target = _parse(path.strip(), flag)
        _check(target, doc["kind"])  # unknown fields are an error, even when absent
        updated = _unset(doc, _root_model(doc["kind"]), 0, target, doc["kind"])
        doc.clear()
        doc.update(updated)
