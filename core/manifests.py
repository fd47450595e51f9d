"""Manifest YAML as kops reads and writes it, apart from the API models.

Reading follows upstream's parser (timestamps stay strings, a duplicate key is an error); writing is block style
with keys sorted and multi-line strings (scripts, manifests) as ``|`` blocks, as upstream prints them. Kept out of
:mod:`kops.api` so that commands which only print what the state store holds need not build the models, which is
most of their cost.
"""

from __future__ import annotations

from typing import Any

import yaml

GROUP = "kops.k8s.io"
API_VERSION = f"{GROUP}/v1alpha2"

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe YAML with the rules upstream's parser applies: timestamps stay strings, duplicate keys are errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                continue  # unhashable keys are reported by the base constructor
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Block-style YAML like upstream prints it: multi-line strings (scripts, manifests) as ``|`` blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _represent_str)


def load_all(text: str) -> list[Any]:
    """The documents of a multi-document manifest as plain trees, empty documents left out; raises
    :class:`yaml.YAMLError` (see :func:`problem`)."""
    return [doc for doc in yaml.load_all(text, Loader=Loader) if doc is not None]  # noqa: S506 - a safe loader


def dump(tree: Any) -> str:
    """One document as block YAML, keys sorted."""
    return str(yaml.dump(tree, Dumper=Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True,
                         width=1 << 20))


def dump_all(trees: list[Any]) -> str:
    """Documents separated by ``---``, as ``kops get -o yaml`` prints them and the state store keeps them."""
    return "---\n".join(dump(tree) for tree in trees)


def problem(exc: yaml.YAMLError) -> str:
    """A YAML syntax error on one line: position first, then what is wrong."""
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}invalid YAML: {what}"
