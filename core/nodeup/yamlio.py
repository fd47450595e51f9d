"""YAML for the files nodeup reads and writes: block style, multi-line strings (PEM, units) as ``|`` blocks."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Keeps certificates and scripts readable in the stored files. libyaml's emitter where PyYAML has it (kops
    writing every group's configuration; the same bytes, several times faster), the pure-Python one on machines."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def dump(tree: Any) -> bytes:
    """``tree`` as YAML, keys in the order given."""
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 20).encode()
