"""Upstream kOps's own test fixtures (their inputs and what upstream writes for them), for tests that compare.

They are not part of this repository: ``KOPS_FIXTURES`` names their folder, and without it they are looked for at
``../shared/fixtures/kops`` beside the checkout. Where they are missing (a user's fresh clone), every test that
compares with them is skipped with one line naming ``KOPS_FIXTURES``, and the rest of the suite runs:

* :func:`require` inside a test (or a helper it calls) skips that test;
* :data:`needed` marks a test or a module (``pytestmark = upstream.needed``);
* :func:`cases` gives ``parametrize`` the fixture folders, or one skipped case.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

#: The variable naming the fixtures' folder (the one holding ``update_cluster/`` and ``create_cluster/``).
ENV = "KOPS_FIXTURES"


def root() -> Path:
    """Where the fixtures are looked for: ``$KOPS_FIXTURES``, else ``../shared/fixtures/kops`` beside the checkout."""
    value = os.environ.get(ENV)
    if value:
        return Path(value).expanduser()
    return Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "kops"


def available() -> bool:
    return (root() / "update_cluster").is_dir()


def reason() -> str:
    return f"upstream kOps fixtures not found in {root()}: set {ENV} to their folder to run this comparison"


#: Marks a test (or, as ``pytestmark``, a module) that compares with the fixtures: skipped where they are missing.
needed = pytest.mark.skipif(not available(), reason=reason())


def require() -> Path:
    """The fixtures' folder; where it is missing, the calling test is skipped (one line naming ``KOPS_FIXTURES``)."""
    if not available():
        pytest.skip(reason())
    return root()


def cases(pattern: str, keep: Any = None, value: Any = None) -> list[Any]:
    """For ``parametrize``: the paths under the fixtures matching ``pattern`` (``update_cluster/*``), sorted, those
    for which ``keep(path)`` is true when given, each as ``value(path)`` when given; where the fixtures are
    missing, one case that is skipped."""
    if not available():
        return [pytest.param(None, id="no-upstream-fixtures", marks=pytest.mark.skip(reason=reason()))]
    return [value(p) if value else p for p in sorted(root().glob(pattern)) if keep is None or keep(p)]
