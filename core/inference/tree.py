"""Reading and filling a spec as a YAML tree (nested dicts and lists) by dotted path.

Inference works on the document tree rather than on model objects so that "fill only what the user
left empty" is one primitive, :func:`default`, used by every rule.
"""

from __future__ import annotations

from typing import Any


def get(tree: dict[str, Any], path: str, fallback: Any = None) -> Any:
    """The value at ``path`` (``spec.networking.calico``), or ``fallback`` if any part is missing."""
    node: Any = tree
    for key in path.split("."):
        if not isinstance(node, dict) or node.get(key) is None:
            return fallback
        node = node[key]
    return node


def ensure(tree: dict[str, Any], path: str) -> dict[str, Any]:
    """The mapping at ``path``, created (with its parents) when missing."""
    node = tree
    for key in path.split("."):
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
    return node


def default(tree: dict[str, Any], path: str, value: Any) -> Any:
    """Set ``path`` to ``value`` unless it already has a value; return the value that stands."""
    parent_path, _, key = path.rpartition(".")
    parent = ensure(tree, parent_path) if parent_path else tree
    if parent.get(key) is None:
        parent[key] = value
    return parent[key]


def put(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` to ``value`` unconditionally (for values the user gave on the command line)."""
    parent_path, _, key = path.rpartition(".")
    parent = ensure(tree, parent_path) if parent_path else tree
    parent[key] = value
