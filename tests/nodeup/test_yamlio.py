"""nodeup's YAML writer builds its nodes itself for speed; what it writes must be what PyYAML writes."""

from __future__ import annotations

import yaml
from kops.nodeup import yamlio

SHARED = {"shared": ["a"]}
TREES = [
    {"a": "x", "b": [1, 2.5, None, True, "yes", "1", "multi\nline\n", {}], "c": {}, "d": [], 3: "int key",
     "e": {"f": [{"g": "h"}]}, "quoted": ["0o17", "null", "true", " lead", "a: b", "ü", "~", "2024-01-01", ""]},
    {"first": SHARED, "second": SHARED},  # PyYAML writes an anchor and an alias
    ["a", {"b": "c"}, [[]]],
    "plain",
    5,
]


def _pyyaml(tree) -> bytes:
    class Plain(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # the emitter nodeup uses here
        pass

    Plain.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v,
                                                               style="|" if "\n" in v else None))
    return yaml.dump(tree, Dumper=Plain, sort_keys=False, default_flow_style=False, width=1 << 20).encode()


def test_nodeup_files_are_written_as_pyyaml_writes_them():
    for tree in TREES:
        assert yamlio.dump(tree) == _pyyaml(tree), tree
    assert b"&id001" in yamlio.dump(TREES[1])
    assert yaml.safe_load(yamlio.dump(TREES[0])) == TREES[0]
