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


def leftovers(env: dict[str, str], cluster_name: str) -> list[str]:
    """What the vCenter holds of the cluster: folders and VMs marked as its own or named after it, its etcd disks."""
    from kops_vsphere.api import VSphereAPI
    from kops_vsphere.tasks.etcd_disk import list_disks

    api = VSphereAPI(env["VSPHERE_SERVER"], env["VSPHERE_USERNAME"], env["VSPHERE_PASSWORD"],
                     env["VSPHERE_DATACENTER"], env["VSPHERE_CA_FILE"])
    marked = [f"{kind} {r.name}" for kind in ("Folder", "VirtualMachine") for r in api.list_owned(kind, cluster_name)]
    named = [f"path {path}" for path in (f"{env['VSPHERE_DATACENTER']}/vm/{cluster_name}",) if api.find(path)]
    disks = [f"disk {d.path}" for d in list_disks(api, cluster_name)]
    return sorted(marked + named + disks)


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """The simulator's compute clusters, on the vsphere testbed; its VM template, a group per zone."""
    return CloudCase(cloud="vsphere", zones="DC0_C0,DC0_C1", testbed="vsphere", leftovers=leftovers,
                     create_flags=("--networking", "calico", "--image", "ubuntu-22.04-server-cloudimg-amd64"))


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
