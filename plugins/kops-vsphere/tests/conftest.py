"""The vSphere plugin in the shared cloud fixtures (:mod:`kops.testing.cloud`), with its own ``kops`` and
``dry_run``: a vSphere user exports the vCenter's settings (:data:`vsphere_kit.SETTINGS`) and names the VM template
clusters clone, so those are in every run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kops.testing import cli
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures, found by pytest by name
from kops.testing.cloud import CloudCase
from vsphere_kit import SETTINGS, TEMPLATE


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """The simulator's compute cluster ``DC0_C0``, on the vsphere testbed."""
    return CloudCase(cloud="vsphere", zones="DC0_C0", testbed="vsphere")


@pytest.fixture
def kops(tmp_path: Path):
    """``kops(*args, env=None)``: the installed ``kops`` on a fresh machine with :data:`SETTINGS` exported."""
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
        return cli.documents(result.stdout)

    return run
