"""A lab for node bootstrap: a file:// state store, an asset mirror on 127.0.0.1 and clusters that use it.

The mirror serves small stand-ins for kubelet, kubectl, containerd, runc and the CNI plugins at the paths
of the real downloads, and a hash catalog naming their sha256 is handed to ``kops update cluster`` through
``KOPS_ASSET_HASHES``, the way a site serving its own builds from ``spec.assets.fileRepository`` would.
Everything runs through the installed ``kops`` command, as a user would run it.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import subprocess
import tarfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import KOPS, Result

ARCHES = ("amd64", "arm64")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


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


def _tarball(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))


def stand_ins(mirror: Path, versions: dict[str, str]) -> dict[str, Any]:
    """Write stand-in downloads under ``mirror`` at the real files' paths; return a hash catalog for them."""
    from urllib.parse import urlsplit

    from kops.assets import load_catalog

    shipped = load_catalog([])
    catalog: dict[str, Any] = {"components": {}}
    for component, version in versions.items():
        for arch in ARCHES:
            target = mirror / urlsplit(shipped.url(component, version, arch)).path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if component == "containerd":
                _tarball(target, {"bin/containerd": b"containerd " + arch.encode(), "bin/ctr": b"ctr",
                                  "bin/containerd-shim-runc-v2": b"shim", "README.md": b"not a binary"})
            elif component == "cni-plugins":
                _tarball(target, {"./bridge": b"bridge", "./loopback": b"loopback", "./portmap": b"portmap"})
            else:
                target.write_bytes(f"#!/bin/sh\necho stand-in {component} {version} {arch}\n".encode())
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            entry = catalog["components"].setdefault(component, {"sha256": {}})
            entry["sha256"].setdefault(version, {})[arch] = digest
    return catalog


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from kops.inference.versions_data import CONTAINERD_VERSION, RUNC_VERSION
    from kops.nodeup.assets import cni_version

    tmp = tmp_path_factory.mktemp("nodeup")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KOPS_", "AWS_", "GOOGLE_", "OS_", "DIGITALOCEAN_", "VSPHERE_"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    (tmp / "home").mkdir()
    env.update(HOME=str(tmp / "home"), KOPS_STATE_STORE=f"file://{tmp / 'store'}")
    mirror = tmp / "mirror"
    mirror.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(mirror)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lab = Lab(tmp, env, mirror, f"http://127.0.0.1:{server.server_address[1]}")
    # The Kubernetes version a new cluster gets comes from the channel: ask a throwaway cluster.
    lab.ok("create", "cluster", "probe.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni")
    probe = yaml.safe_load(lab.ok("get", "cluster", "probe.example.com", "-o", "yaml").out)
    k8s = probe["spec"]["kubernetesVersion"].lstrip("v")
    catalog = stand_ins(mirror, {"kubelet": k8s, "kubectl": k8s, "cni-plugins": cni_version(k8s),
                                 "containerd": CONTAINERD_VERSION, "runc": RUNC_VERSION})
    (tmp / "hashes.yaml").write_text(yaml.safe_dump(catalog))
    env["KOPS_ASSET_HASHES"] = str(tmp / "hashes.yaml")
    try:
        yield lab
    finally:
        server.shutdown()
        server.server_close()


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
