"""YAML as upstream's templating reads and writes it (``sigs.k8s.io/yaml`` over go-yaml v2).

Reading: YAML 1.1 scalars (``yes`` is true), timestamps kept as strings, and every number a ``float64``,
because upstream converts YAML to JSON before decoding it. Writing: keys sorted, multi-line strings as
``|`` blocks, strings that would read back as another type double-quoted, as go-yaml v2 writes them.
"""

from __future__ import annotations

from typing import Any

import yaml
from kops.templating.gotypes import is_int

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """Safe YAML whose timestamps stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    """Block-style YAML shaped like go-yaml v2's."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        style: str | None = "|"
    else:
        resolved = dumper.resolve(yaml.ScalarNode, value, (True, False))
        style = '"' if resolved != "tag:yaml.org,2002:str" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def load(text: str) -> Any:
    """One YAML document as plain Python values (numbers as they are written)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def dump(value: Any) -> str:
    """A value as block YAML, keys sorted."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True)


def json_numbers(value: Any) -> Any:
    """The value as upstream sees it after its YAML-to-JSON step: every number a float, every key a string."""
    if isinstance(value, dict):
        return {_key(k): json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_numbers(v) for v in value]
    if is_int(value):
        return float(value)
    return value


def integral_floats_as_ints(value: Any) -> Any:
    """The reverse, for writing YAML: a float with no fraction is written as an integer, as JSON does."""
    if isinstance(value, dict):
        return {k: integral_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral_floats_as_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    from kops.templating.gofmt import value_string

    return value_string(float(key) if isinstance(key, float) else key)
