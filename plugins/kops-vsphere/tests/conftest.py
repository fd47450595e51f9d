"""Fixtures for the vSphere plugin's tests: the installed ``kops`` command on a fresh machine (empty HOME, a local
file:// state store, no cloud settings), and the vSphere settings a user would export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kops.testing import cli
from vsphere_kit import SETTINGS, TEMPLATE, documents


@pytest.fixture
def kops(tmp_path: Path):
    """``kops(*args, env=None)``: run the installed ``kops`` with :data:`SETTINGS` exported, output captured."""
    return cli.runner({**cli.isolated_env(tmp_path), **SETTINGS})


@pytest.fixture
def dry_run(kops):
    """``dry_run(*flags, name=..., env=None)``: every document ``kops create cluster NAME --cloud vsphere --image
    TEMPLATE --dry-run -o yaml`` prints, as ``{"Cluster": tree, "InstanceGroup/<name>": tree, ...}``; a failure fails
    the test with its stderr."""

    def run(*flags: str, name: str = "v.example.com", env: dict[str, str] | None = None) -> dict[str, Any]:
        result = kops("create", "cluster", name, "--cloud", "vsphere", "--image", TEMPLATE, "--dry-run", "-o", "yaml",
                      *flags, env=env)
        assert result.returncode == 0, result.stderr
        return documents(result.stdout)

    return run
