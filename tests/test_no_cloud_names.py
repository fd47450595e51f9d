"""Core's logic never decides by a cloud's name: what differs by cloud is a property or method of the cloud driver
(kops.cloud.CloudProvider), so a new cloud plugin gets every behaviour by describing itself."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"
CLOUDS = {"aws", "gce", "gcp", "openstack", "digitalocean", "do", "vsphere", "azure", "hetzner", "scaleway", "metal",
          "linode"}
#: (file relative to core/, literal) -> why it may stay.
ALLOWED = {
    ("plugins.py", "aws"): "the table naming which distribution to install for a cloud nobody installed",
    ("plugins.py", "gce"): "same table",
    ("plugins.py", "openstack"): "same table",
    ("plugins.py", "vsphere"): "same table",
    ("plugins.py", "digitalocean"): "same table",
    ("plugins.py", "do"): "same table: the do:// state store's distribution",
    ("networking.py", "gce"): "the GCE-native networking provider's own spec key and the cloud it works on",
    ("inference/completion/kubelet.py", "metal"): "upstream marks bare-metal clusters by a label, not by a cloud",
}


def cloud_names_in_logic(path: Path) -> list[tuple[int, str]]:
    """(line, literal) of every cloud name compared against, tested for membership, or used as a mapping key."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            candidates = [node.left, *node.comparators]
        elif isinstance(node, ast.Dict):
            candidates = [k for k in node.keys if k is not None]
        for candidate in candidates:
            items = candidate.elts if isinstance(candidate, ast.Tuple | ast.List | ast.Set) else [candidate]
            found += [(item.lineno, item.value) for item in items
                      if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value in CLOUDS]
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Tuple):
            found += [(e.lineno, e.value) for e in node.value.elts
                      if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in CLOUDS]
    return found


def test_core_compares_no_cloud_name():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        relative = str(path.relative_to(CORE))
        if relative.startswith(("templating/", "testing/")):
            continue  # template functions and test stand-ins, not core's logic
        for line, literal in cloud_names_in_logic(path):
            if (relative, literal) not in ALLOWED:
                offenders.append(f"core/{relative}:{line}: {literal!r}")
    assert offenders == [], "decide by a property of the cloud driver instead:\n" + "\n".join(offenders)


def test_the_check_finds_a_comparison():
    sample = Path(__file__).with_name("_sample_cloud_check.py")
    sample.write_text('def f(spec):\n    return spec.cloudProvider == "aws" or spec.x in ("gce", "y")\n')
    try:
        assert cloud_names_in_logic(sample) == [(2, "aws"), (2, "gce")]
    finally:
        sample.unlink()
