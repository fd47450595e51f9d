"""An asset mirror on 127.0.0.1 for tests of machines: small stand-ins for kubelet, kubectl, containerd, runc and the
CNI plugins at the paths of the real downloads, and the hash catalog naming their sha256.

Handed to ``kops update cluster`` through ``KOPS_ASSET_HASHES`` with ``spec.assets.fileRepository`` pointing at
the mirror, as a site serving its own builds would, the nodeup configurations name the stand-ins, so nodeup runs
to the end without the internet.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import tarfile
import threading
from pathlib import Path
from typing import Any

ARCHES = ("amd64", "arm64")


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


def served_from(catalog: dict[str, Any], mirror_url: str) -> dict[str, Any]:
    """``catalog`` with each component's canonical URL moved to the mirror (the same path): a catalog for which the
    mirror is where the files come from, as a site's own builds would be."""
    from urllib.parse import urlsplit

    from kops.assets import load_catalog

    shipped = load_catalog([])
    out: dict[str, Any] = {"components": {}}
    for name, entry in catalog["components"].items():
        path = urlsplit(shipped.components[name].url).path
        out["components"][name] = {**entry, "url": mirror_url.rstrip("/") + path}
    return out


def default_versions(kubernetes_version: str) -> dict[str, str]:
    """The components a new cluster of ``kubernetes_version`` installs, at the versions kops pairs with it."""
    from kops.inference.versions_data import CONTAINERD_VERSION, RUNC_VERSION
    from kops.nodeup.assets import cni_version

    k8s = kubernetes_version.lstrip("v")
    return {"kubelet": k8s, "kubectl": k8s, "cni-plugins": cni_version(k8s), "containerd": CONTAINERD_VERSION,
            "runc": RUNC_VERSION}


def _tarball(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class Mirror:
    """``folder`` served over HTTP on 127.0.0.1 and a free port until :meth:`stop`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      functools.partial(_QuietHandler, directory=str(folder)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
