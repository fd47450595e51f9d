"""A lab for node bootstrap: a file:// state store, an asset mirror on 127.0.0.1 and clusters that use it.

The mirror (:mod:`kops.testing.mirror`) serves small stand-ins for kubelet, kubectl, containerd, runc and the CNI
plugins at the paths of the real downloads, and a hash catalog naming their sha256 is handed to ``kops update
cluster`` through ``KOPS_ASSET_HASHES``, the way a site serving its own builds from ``spec.assets.fileRepository``
would.
Everything runs through the installed ``kops`` command, as a user would run it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import KOPS, Result


@dataclass
class Lab:
    tmp: Path
    env: dict[str, str]
    mirror: Path
    mirror_url: str

    @property
    def store(self) -> Path:
        return self.tmp / "store"

    def kops(self, *args: str, env: dict[str, str] | None = None) -> Result:
        p = subprocess.run([KOPS, *args], env={**self.env, **(env or {})}, capture_output=True, text=True,
                           timeout=300)
        return Result(p.returncode, p.stdout, p.stderr)

    def ok(self, *args: str) -> Result:
        r = self.kops(*args)
        assert r.code == 0, f"kops {' '.join(args)}: {r.err}"
        return r

    def create_cluster(self, name: str, *sets: str) -> str:
        """Create ``name`` on AWS with a CNI, point it at the mirror, apply ``sets`` and run the update."""
        self.ok("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
        self.ok("edit", "cluster", name, "--set", f"spec.assets.fileRepository={self.mirror_url}",
                *(a for s in sets for a in ("--set", s)))
        self.ok("update", "cluster", name, "--target", "terraform", "--out", str(self.tmp / "tf" / name), "--yes")
        return name

    def config_path(self, cluster: str, group: str) -> Path:
        role = "control-plane" if group.startswith("control-plane") else "node"
        return self.store / cluster / "igconfig" / role / group / "nodeupconfig.yaml"

    def config(self, cluster: str, group: str) -> dict[str, Any]:
        return yaml.safe_load(self.config_path(cluster, group).read_text())

    def nodeup(self, cluster: str, group: str, root: Path) -> Result:
        url = self.config_path(cluster, group).as_uri()
        return self.kops("nodeup", "--config", url, "--root", str(root), "--arch", "amd64")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from kops.testing.mirror import Mirror, default_versions, stand_ins

    tmp = tmp_path_factory.mktemp("nodeup")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KOPS_", "AWS_", "GOOGLE_", "OS_", "DIGITALOCEAN_", "VSPHERE_"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    (tmp / "home").mkdir()
    env.update(HOME=str(tmp / "home"), KOPS_STATE_STORE=f"file://{tmp / 'store'}")
    (tmp / "mirror").mkdir()
    mirror = Mirror(tmp / "mirror")
    lab = Lab(tmp, env, mirror.folder, mirror.url)
    # The Kubernetes version a new cluster gets comes from the channel: ask a throwaway cluster.
    lab.ok("create", "cluster", "probe.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
    probe = yaml.safe_load(lab.ok("get", "cluster", "probe.example.com", "-o", "yaml").out)
    catalog = stand_ins(mirror.folder, default_versions(probe["spec"]["kubernetesVersion"]))
    (tmp / "hashes.yaml").write_text(yaml.safe_dump(catalog))
    env["KOPS_ASSET_HASHES"] = str(tmp / "hashes.yaml")
    try:
        yield lab
    finally:
        mirror.stop()


@pytest.fixture(scope="module")
def cluster(lab) -> str:
    """A cluster updated once: its nodeup configurations are in the store."""
    return lab.create_cluster("nodeup.example.com")


@pytest.fixture(scope="module")
def control_plane_root(lab, cluster, tmp_path_factory) -> Path:
    """What ``kops nodeup`` writes for the cluster's control-plane group, under a fresh root."""
    root = tmp_path_factory.mktemp("cp-root")
    r = lab.nodeup(cluster, "control-plane-us-east-1a", root)
    assert r.code == 0, r.err
    return root
