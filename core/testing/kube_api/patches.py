"""The three patch formats of ``PATCH``, applied as the real server applies them.

- JSON merge patch (RFC 7386, ``application/merge-patch+json``): objects merge key by key, ``null`` removes, anything
  else (lists included) replaces.
- Strategic merge patch (``application/strategic-merge-patch+json``): a merge patch where some lists merge item by
  item on a key (a pod's ``containers`` on ``name``, a node's ``status.conditions`` on ``type``) and others, such as
  a node's ``spec.taints``, are replaced whole, as the Kubernetes types declare; with the ``$patch``, ``$retainKeys``,
  ``$deleteFromPrimitiveList/`` and ``$setElementOrder/`` directives. What ``kubectl cordon`` and kOps send.
- JSON patch (RFC 6902, ``application/json-patch+json``): a list of operations; an object is refused with the real
  server's decoding error. (The official Python client sends a list as a JSON patch and a dict as a strategic
  merge patch unless told otherwise.)
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .errors import ApiError, bad_request

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"

#: Lists of a pod spec that merge on a key (the ``patchMergeKey`` of the Kubernetes types), by path from the spec.
_POD_SPEC_KEYS: dict[tuple[str, ...], str] = {
    ("containers",): "name", ("initContainers",): "name", ("ephemeralContainers",): "name",
    ("volumes",): "name", ("imagePullSecrets",): "name", ("hostAliases",): "ip", ("schedulingGates",): "name",
    ("resourceClaims",): "name",
    **{(containers, field): key for containers in ("containers", "initContainers", "ephemeralContainers")
       for field, key in (("env", "name"), ("ports", "containerPort"), ("volumeMounts", "mountPath"),
                          ("volumeDevices", "devicePath"), ("resizePolicy", "resourceName"))},
}
#: Lists of primitives whose patch strategy is merge: a patch adds to them rather than replacing them.
_PRIMITIVE_MERGE = {("metadata", "finalizers"), ("spec", "podCIDRs")}


def _merge_key(path: tuple[str, ...]) -> str | None:
    """The merge key of the list at ``path`` (field names from the object's root), or None when it is replaced."""
    if path == ("metadata", "ownerReferences"):
        return "uid"
    if path in (("status", "conditions"), ("status", "addresses")):
        return "type"
    if path == ("status", "podIPs") or path == ("status", "hostIPs"):
        return "ip"
    for prefix in (("spec",), ("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec")):
        if path[:len(prefix)] == prefix and path[len(prefix):] in _POD_SPEC_KEYS:
            return _POD_SPEC_KEYS[path[len(prefix):]]
    return None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: ``patch`` applied to ``target`` (which it modifies)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


def strategic_merge_patch(target: dict[str, Any], patch: Any) -> dict[str, Any]:
    """A strategic merge patch applied to ``target`` (which it modifies)."""
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
    return _strategic_map(target, patch, ())


def _strategic_map(target: Any, patch: dict[str, Any], path: tuple[str, ...]) -> Any:
    patch = dict(patch)
    directive = patch.pop("$patch", None)
    if directive == "delete":
        return None
    retain = patch.pop("$retainKeys", None)
    if directive == "replace" or not isinstance(target, dict):
        target = {}
    for key in [k for k in patch if k.startswith("$setElementOrder/")]:
        patch.pop(key)
    for key in [k for k in patch if k.startswith("$deleteFromPrimitiveList/")]:
        field, removed = key.split("/", 1)[1], patch.pop(key)
        if isinstance(target.get(field), list):
            target[field] = [v for v in target[field] if v not in removed]
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            merged = _strategic_map(target.get(key), value, (*path, key))
            if merged is None:
                target.pop(key, None)
            else:
                target[key] = merged
        elif isinstance(value, list):
            target[key] = _strategic_list(target.get(key), value, (*path, key))
        else:
            target[key] = copy.deepcopy(value)
    if retain is not None:
        for key in [k for k in target if k not in retain]:
            target.pop(key)
    return target


def _strategic_list(target: Any, patch: list[Any], path: tuple[str, ...]) -> list[Any]:
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [copy.deepcopy(item) for item in patch if not (isinstance(item, dict) and "$patch" in item)]
    current = list(target) if isinstance(target, list) else []
    if path in _PRIMITIVE_MERGE:
        return current + [copy.deepcopy(v) for v in patch if v not in current]
    key = _merge_key(path)
    if key is None:
        return [copy.deepcopy(item) for item in patch]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise bad_request(f"map: {item} does not contain declared merge key: {key}")
        index = next((i for i, old in enumerate(current) if isinstance(old, dict) and old.get(key) == item[key]),
                     None)
        merged = _strategic_map(copy.deepcopy(current[index]) if index is not None else {}, item, path)
        if index is None:
            if merged is not None:
                current.append(merged)
        elif merged is None:
            current.pop(index)
        else:
            current[index] = merged
    return current


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902: ``operations`` applied in order to a copy of ``target``; any failure leaves nothing applied."""
    if not isinstance(operations, list):
        kind = "object" if isinstance(operations, dict) else type(operations).__name__
        raise bad_request(f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Patch")
    document = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise bad_request(f"json: invalid JSON patch operation: {json.dumps(operation)}")
        document = _operation(document, operation)
    return document


def _unprocessable(message: str) -> ApiError:
    return ApiError(422, "Invalid", message)


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _unprocessable(f"invalid JSON pointer: {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(document: Any, parts: list[str], path: str) -> Any:
    node = document
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _unprocessable(f"doc is missing path: \"{path}\": missing value")
    return node


def _get(document: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return document
    parent, last = _parent(document, parts, path), parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise _unprocessable(f"doc is missing path: \"{path}\": missing value")


def _operation(document: Any, operation: dict[str, Any]) -> Any:
    op, path = operation["op"], operation["path"]
    if op == "test":
        if _get(document, path) != operation.get("value"):
            raise _unprocessable(f"testing value {path} failed: test failed")
        return document
    if op in ("move", "copy"):
        value = copy.deepcopy(_get(document, operation.get("from", "")))
        if op == "move":
            document = _operation(document, {"op": "remove", "path": operation["from"]})
        return _operation(document, {"op": "add", "path": path, "value": value})
    parts = _pointer(path)
    if not parts:
        if op == "remove":
            raise _unprocessable("unable to remove the whole document")
        return copy.deepcopy(operation.get("value"))
    parent, last = _parent(document, parts, path), parts[-1]
    if op == "add":
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last) if last.isdigit() else -1
            if not 0 <= index <= len(parent):
                raise _unprocessable(f"add operation does not apply: doc is missing path: \"{path}\"")
            parent.insert(index, copy.deepcopy(operation.get("value")))
        elif isinstance(parent, dict):
            parent[last] = copy.deepcopy(operation.get("value"))
        else:
            raise _unprocessable(f"add operation does not apply: doc is missing path: \"{path}\"")
        return document
    if op not in ("remove", "replace"):
        raise bad_request(f"Unexpected kind: {op}")
    _get(document, path)
    if op == "remove":
        parent.pop(int(last) if isinstance(parent, list) else last)
    else:
        parent[int(last) if isinstance(parent, list) else last] = copy.deepcopy(operation.get("value"))
    return document
