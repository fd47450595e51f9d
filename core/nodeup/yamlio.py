"""YAML for the files nodeup reads and writes: block style, multi-line strings (PEM, units) as ``|`` blocks."""

from __future__ import annotations

from typing import Any

import yaml

#: How each scalar reads back (its implicit tag), as the dumper worked it out: every group's configuration repeats
#: the same keys and most of the same values, and finding a scalar's tag (a regular expression per type) is most of
#: writing one. Emptied when large, so a long run cannot grow it without end.
_TAGS: dict[tuple[str, Any], str] = {}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Keeps certificates and scripts readable in the stored files. libyaml's emitter where PyYAML has it (kops
    writing every group's configuration; the same bytes, several times faster), the pure-Python one on machines."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            if len(_TAGS) > 100_000:
                _TAGS.clear()
            tag = _TAGS[key] = str(super().resolve(kind, value, implicit))
        return tag


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def dump(tree: Any) -> bytes:
    """``tree`` as YAML, keys in the order given."""
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 20).encode()
