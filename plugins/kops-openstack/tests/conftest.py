"""Fixtures for the OpenStack plugin's tests: the installed ``kops`` command on a fresh machine (empty HOME, a local
file:// state store, no cloud settings). Helpers to read what it prints are in openstack_kit.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kops.testing import cli


@pytest.fixture
def kops(tmp_path: Path):
    """``kops(*args, env=None)``: run the installed ``kops``, output captured as text."""
    return cli.runner(cli.isolated_env(tmp_path))


@pytest.fixture
def dry_run(kops):
    """``dry_run(*flags, name=...)``: every document ``kops create cluster NAME --cloud openstack --dry-run -o yaml``
    prints, as ``{"Cluster": tree, "InstanceGroup/<name>": tree, ...}``; a failure fails the test with its stderr."""

    def run(*flags: str, name: str = "o.example.com") -> dict[str, Any]:
        result = kops("create", "cluster", name, "--cloud", "openstack", "--dry-run", "-o", "yaml", *flags)
        assert result.returncode == 0, result.stderr
        docs: dict[str, Any] = {}
        for doc in yaml.safe_load_all(result.stdout):
            if doc:
                docs["Cluster" if doc["kind"] == "Cluster" else f"{doc['kind']}/{doc['metadata']['name']}"] = doc
        return docs

    return run
