"""Shared test helpers: run the installed ``kops`` console script the way a user would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from kops.testing import upstream
from kops.testing.cli import KOPS, isolated_env, runner

__all__ = ["FIXTURES", "KOPS", "Result"]
#: Upstream kOps's fixtures (``KOPS_FIXTURES``); tests that compare with them see :mod:`kops.testing.upstream`.
FIXTURES = upstream.root()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def kops_env(tmp_path: Path) -> dict[str, str]:
    """An environment like a fresh machine: empty HOME, a local state store, no cloud credentials."""
    return isolated_env(tmp_path)


@pytest.fixture
def kops(kops_env: dict[str, str]):
    """Run ``kops ARGS...``; returns exit code, stdout and stderr."""

    kops_cli = runner(kops_env)

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        p = kops_cli(*args, input=input, env=env)
        return Result(p.returncode, p.stdout, p.stderr)

    return run
