"""Shared test helpers: run the installed ``kops`` console script the way a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

KOPS = str(Path(sys.executable).with_name("kops"))
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "kops"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def kops_env(tmp_path: Path) -> dict[str, str]:
    """An environment like a fresh machine: empty HOME, a local state store, no cloud credentials."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KOPS_", "AWS_", "GOOGLE_", "OS_", "DIGITALOCEAN_", "VSPHERE_"))}
    home = tmp_path / "home"
    home.mkdir()
    env["HOME"] = str(home)
    env["KOPS_STATE_STORE"] = f"file://{tmp_path / 'store'}"
    return env


@pytest.fixture
def kops(kops_env: dict[str, str]):
    """Run ``kops ARGS...``; returns exit code, stdout and stderr."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        p = subprocess.run([KOPS, *args], env={**kops_env, **(env or {})}, input=input, capture_output=True,
                           text=True, timeout=120)
        return Result(p.returncode, p.stdout, p.stderr)

    return run
