"""A fresh minimal Debian 12 root standing in for a cloud image, to boot machines from their user data in tests.

The ``debootstrap`` testbed (slow: it downloads Debian's packages, a minute or two) builds the root once per test
run with only what the channel's images are relied on to have: ``python3``, ``openssl``, ``curl`` and
``ca-certificates``. ``KOPS_DEBOOTSTRAP_ROOT`` names it::

    KOPS_TESTBEDS=debootstrap pytest ...          # or: python -m kops.testing.testbed debootstrap

Each :class:`Machine` boots from its own copy-on-write view of that root (an overlay, else a copy), in a chroot
with no network at all but the loopback ports a test names (relayed to the test's servers through Unix sockets,
which cross network namespaces): a user data that reaches for anything else fails as it would on an isolated
machine. Machines need root (chroot, mount, network namespaces); debootstrap itself is installed with apt-get
when missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from kops.testing.testbed import Testbed

SUITE = "bookworm"
#: What the root holds besides Debian's minimal base: what kops relies on the images to have.
PACKAGES = ("python3", "ca-certificates", "openssl", "curl")
ROOT_VARIABLE = "KOPS_DEBOOTSTRAP_ROOT"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
#: Where a machine's user data is put in its root.
USER_DATA = "/kops-user-data.sh"


class DebootstrapTestbed(Testbed):
    slow = True

    def start(self) -> dict[str, str]:
        from kops.errors import KopsError

        if os.geteuid() != 0:
            raise KopsError("the debootstrap testbed needs root (debootstrap, chroot and network namespaces)")
        if shutil.which("debootstrap") is None:
            subprocess.run(["apt-get", "install", "-y", "-q", "debootstrap"], check=True, capture_output=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        root = self.workdir / "root"
        done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE,
                               str(root), debian_mirror()], capture_output=True, text=True)
        if done.returncode != 0:
            raise KopsError(f"debootstrap failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
        return {ROOT_VARIABLE: str(root)}


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (``KOPS_DEBIAN_MIRROR`` overrides it)."""
    if os.environ.get("KOPS_DEBIAN_MIRROR"):
        return os.environ["KOPS_DEBIAN_MIRROR"]
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split()
            if words[:1] == ["URIs:"] and len(words) > 1 and "security" not in words[1]:
                return words[1]
            if words[:1] == ["deb"] and len(words) > 2 and "security" not in line:
                return next(w for w in words[1:] if "://" in w)
    return DEFAULT_MIRROR


class Machine:
    """A machine booted from ``image`` (a root the testbed made): its root is ``<workdir>/root``, and
    :meth:`written` lists what its runs changed there."""

    def __init__(self, image: Path, workdir: Path):
        self.workdir = workdir
        self.root = workdir / "root"
        self.upper = workdir / "upper"
        for folder in (self.root, self.upper, workdir / "work", workdir / "sockets"):
            folder.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                                  f"lowerdir={image},upperdir={self.upper},workdir={workdir / 'work'}",
                                  str(self.root)], capture_output=True)
        self.overlay = mounted.returncode == 0
        if not self.overlay:
            subprocess.run(["cp", "-a", f"{image}/.", str(self.root)], check=True)
        self.started = time.time()

    def run(self, script: str, env: dict[str, str], ports: list[int], timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
        """Run ``script`` with bash in the machine, with only ``env`` and no network but ``ports`` of 127.0.0.1
        (each reaching the same port of this process's loopback)."""
        (self.root / USER_DATA.lstrip("/")).write_text(script)
        relays = [_UnixToTCP(self.workdir / "sockets" / str(port), port) for port in ports]
        spec = json.dumps({"root": str(self.root), "sockets": str(self.workdir / "sockets"), "ports": ports,
                           "env": {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                   "HOME": "/root", **env}})
        try:
            return subprocess.run(["unshare", "--net", sys.executable, "-c",
                                   "import sys; from kops.testing.debootstrap import _inside; _inside(sys.argv[1])",
                                   spec], capture_output=True, text=True, timeout=timeout)
        finally:
            for relay in relays:
                relay.close()

    def written(self) -> dict[str, Path]:
        """Every regular file the machine's runs created or changed, by its path in the machine."""
        if self.overlay:
            return {"/" + str(p.relative_to(self.upper)): p for p in self.upper.rglob("*")
                    if p.is_file() and not p.is_symlink()}
        return {"/" + str(p.relative_to(self.root)): p for p in self.root.rglob("*")
                if p.is_file() and not p.is_symlink() and p.stat().st_mtime >= self.started}

    def close(self) -> None:
        if self.overlay:
            subprocess.run(["umount", str(self.root)], check=False, capture_output=True)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((target, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def _splice(a: socket.socket, b: socket.socket) -> None:
    """Relay both ways until both sides are done, then close both."""
    def run() -> None:
        back = threading.Thread(target=_pump, args=(b, a), daemon=True)
        back.start()
        _pump(a, b)
        back.join()
        a.close()
        b.close()

    threading.Thread(target=run, daemon=True).start()


class _UnixToTCP:
    """Outside: connections to a Unix socket go on to 127.0.0.1:``port``."""

    def __init__(self, path: Path, port: int):
        path.unlink(missing_ok=True)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(64)
        self.port = port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.port))
            except OSError:
                conn.close()
                continue
            _splice(conn, upstream)

    def close(self) -> None:
        self.listener.close()


def _inside(spec_json: str) -> None:
    """In the machine's network namespace (still outside its root): bring loopback up, relay each port to the Unix
    socket of the same name, and run the user data in the chroot; exit with its status."""
    import fcntl
    import struct

    spec = json.loads(spec_json)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(control, 0x8913, request)[:18])[1]  # SIOCGIFFLAGS
        fcntl.ioctl(control, 0x8914, struct.pack("16sH", b"lo", flags | 0x1))  # SIOCSIFFLAGS: IFF_UP
    for port in spec["ports"]:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        threading.Thread(target=_relay_to_unix, args=(listener, f"{spec['sockets']}/{port}"), daemon=True).start()
    env = [f"{k}={v}" for k, v in spec["env"].items()]
    done = subprocess.run(["chroot", spec["root"], "/usr/bin/env", "-i", *env, "/bin/bash", USER_DATA])
    sys.exit(done.returncode)


def _relay_to_unix(listener: socket.socket, path: str) -> None:
    while True:
        conn, _ = listener.accept()
        outside = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            outside.connect(path)
        except OSError:
            conn.close()
            outside.close()
            continue
        _splice(conn, outside)
