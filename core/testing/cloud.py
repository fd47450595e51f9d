"""pytest fixtures and lifecycle tests shared by cloud plugins' tests, as :mod:`kops.testing.cni` is for networking
plugins: a cloud plugin describes its case once and gets the whole lifecycle checked on its stand-in.

A plugin's ``tests/conftest.py`` defines ``cloud_case`` and imports the fixtures by name::

    from kops.testing.cloud import *  # noqa: F403 - the shared fixtures, found by pytest by name

    @pytest.fixture(scope="session")
    def cloud_case():
        return CloudCase(cloud="mycloud", zones="zone-a,zone-b", testbed="mycloud", leftovers=what_is_left)

and a test module imports the lifecycle tests it wants collected::

    from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected by pytest

Everything goes through the installed ``kops`` command, as a user runs it, against the cloud's testbed
(:mod:`kops.testing.testbed`), each test with a cluster of its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kops.testing import cli

__all__ = ["CloudCase", "cloud_env", "cloud_kops", "cluster_name", "dry_run", "kops"]


@dataclass(frozen=True)
class CloudCase:
    #: The cloud's name (``--cloud``).
    cloud: str
    #: ``--zones`` of the clusters the tests make.
    zones: str
    #: Further ``kops create cluster`` flags (machine types, images, networking...).
    create_flags: tuple[str, ...] = ("--networking", "cni")
    #: The testbed's name (``kops.testbed`` entry point); None for a plugin tested offline only.
    testbed: str | None = None
    #: ``leftovers(env, cluster_name)``: what the cloud still holds of a cluster (labelled or tagged for it, or
    #: named with its prefix), as readable strings; the testbed's environment says where the cloud is.
    leftovers: Callable[[dict[str, str], str], list[str]] | None = None
    #: Settings the tests leave alone in the environment (``KOPS_`` and cloud variables are cleared otherwise).
    extra_env: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def kops(tmp_path: Path) -> Callable[..., Any]:
    """``kops(*args)`` on a fresh machine: empty HOME, a local file:// state store, no cloud settings."""
    return cli.runner(cli.isolated_env(tmp_path))


@pytest.fixture
def dry_run(kops: Callable[..., Any], cloud_case: CloudCase) -> Callable[..., dict[str, Any]]:
    """``dry_run(*flags, name=...)``: every document ``kops create cluster NAME --cloud CLOUD --dry-run -o yaml`` prints,
    as ``{"Cluster": tree, "InstanceGroup/<name>": tree, ...}``; a failure fails the test with its error."""

    def run(*flags: str, name: str = "c.example.com") -> dict[str, Any]:
        result = kops("create", "cluster", name, "--cloud", cloud_case.cloud, "--dry-run", "-o", "yaml", *flags)
        assert result.returncode == 0, result.stderr
        return cli.documents(result.stdout)

    return run


@pytest.fixture
def cloud_env(cloud_case: CloudCase, tmp_path: Path) -> dict[str, str]:
    """A fresh machine pointed at the cloud's testbed: its variables (state store included) over an empty HOME."""
    from kops.testing.testbed import environment

    if cloud_case.testbed is None:
        pytest.skip(f"the {cloud_case.cloud} plugin has no testbed")
    env = cli.isolated_env(tmp_path)
    env.update(environment(cloud_case.testbed), **cloud_case.extra_env)
    return env


@pytest.fixture
def cloud_kops(cloud_env: dict[str, str]) -> Callable[..., Any]:
    """``cloud_kops(*args)``: the installed ``kops`` against the testbed (an apply may take minutes)."""
    return cli.runner(cloud_env, timeout=900)


@pytest.fixture
def cluster_name() -> str:
    """A cluster name no other test uses, on a testbed that tests share."""
    return f"c{uuid.uuid4().hex[:8]}.example.com"


def _ok(result: Any) -> Any:
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def test_cluster_lifecycle(cloud_case: CloudCase, cloud_kops: Callable[..., Any], cloud_env: dict[str, str],
                           cluster_name: str) -> None:
    """Create, plan (every resource to create), apply, plan again (nothing left to do), list the instances (every
    group has some), delete: nothing of the cluster is left in the cloud."""
    _ok(cloud_kops("create", "cluster", cluster_name, "--cloud", cloud_case.cloud, "--zones", cloud_case.zones,
                   *cloud_case.create_flags))
    planned = json.loads(_ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout)["changes"]
    assert planned and {c["action"] for c in planned} == {"create"}
    _ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr
    groups = {g["metadata"]["name"] for g in json.loads(
        _ok(cloud_kops("get", "instancegroups", "--name", cluster_name, "-o", "json")).stdout)}
    instances = json.loads(_ok(cloud_kops("get", "instances", cluster_name, "-o", "json")).stdout)
    assert {i["instanceGroup"] for i in instances} == groups
    assert all(i["status"] == "UpToDate" for i in instances), instances
    _ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    if cloud_case.leftovers is not None:
        assert cloud_case.leftovers(cloud_env, cluster_name) == []
    assert cloud_kops("get", "cluster", cluster_name).returncode == 1
