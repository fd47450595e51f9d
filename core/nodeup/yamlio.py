"""YAML for the files nodeup reads and writes: block style, multi-line strings (PEM, units) as ``|`` blocks."""

from __future__ import annotations

from typing import Any

import yaml

#: How each scalar reads back (its implicit tag), as the dumper worked it out: every group's configuration repeats
#: the same keys and most of the same values, and finding a scalar's tag (a regular expression per type) is most of
#: writing one. Emptied when large, so a long run cannot grow it without end.
_TAGS: dict[tuple[str, Any], str] = {}
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Shared(Exception):
    """The tree holds one dict or list in two places."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Keeps certificates and scripts readable in the stored files. libyaml's emitter where PyYAML has it (kops
    writing every group's configuration; the same bytes, several times faster), the pure-Python one on machines."""

    def represent(self, data: Any) -> None:
        """As PyYAML's, with the nodes of strings, dicts and lists (what nodeup's files are made of) built directly:
        PyYAML's dispatch for each value is most of writing a group's configuration. A tree holding one dict or
        list in two places, which PyYAML writes as an anchor and an alias, goes PyYAML's way."""
        try:
            node = self._node(data, set())
        except _Shared:
            super().represent(data)
            return
        self.serialize(node)

    def _node(self, data: Any, seen: set[int]) -> Any:
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data, style=_style(data))
        if kind is dict or kind is list:
            if id(data) in seen:
                raise _Shared
            seen.add(id(data))
            if kind is dict:
                return yaml.MappingNode(_MAP, [(self._node(k, seen), self._node(v, seen)) for k, v in data.items()],
                                        flow_style=False)
            return yaml.SequenceNode(_SEQ, [self._node(v, seen) for v in data], flow_style=False)
        return self.represent_data(data)

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


def _style(value: str) -> str | None:
    """Multi-line strings (certificates, units) as ``|`` blocks."""
    return "|" if "\n" in value else None


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(_STR, value, style=_style(value))


_Dumper.add_representer(str, _represent_str)


def dump(tree: Any) -> bytes:
    """``tree`` as YAML, keys in the order given."""
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 20).encode()
