"""Packaging: the kops <- core rename needs every package listed, or wheels silently miss code."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_core_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"kops" + ("." + ".".join(p.parent.relative_to(ROOT / "core").parts) if p.parent != ROOT / "core" else "")
             for p in (ROOT / "core").rglob("__init__.py")}
    assert found == listed
