"""Packaging: the kops <- core rename needs every package listed, or wheels silently miss code."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_core_package_is_listed_in_pyproject():
    """Code packages (with an ``__init__.py``) and folders of data files both: setuptools warns at every install
    about a data folder that is not listed as a package."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    data = {name for name in setuptools["package-data"] if not (ROOT / "core" / _folder(name) / "__init__.py").exists()}
    found = {"kops" + ("." + ".".join(p.parent.relative_to(ROOT / "core").parts) if p.parent != ROOT / "core" else "")
             for p in (ROOT / "core").rglob("__init__.py")}
    assert found | data == set(setuptools["packages"])
    for name in data:
        assert not any((ROOT / "core" / _folder(name)).glob("*.py")), f"{name} holds code: give it an __init__.py"


def _folder(package: str) -> str:
    return package.removeprefix("kops").lstrip(".").replace(".", "/")
