"""The vSphere testbed: govmomi's vCenter simulator on loopback (``python -m kops.testing.testbed vsphere``).

Debian packages govmomi's simulator as a Go library but not its ``vcsim`` command, so the testbed builds a small
launcher of its own (``vcenter_simulator.go`` beside this file) from Debian's packages alone, installing them
with apt-get when they are missing. The binary is cached by a hash of its source, so only the first start on a
machine pays for the build. The simulator answers pyVmomi (SOAP) and the vAPI REST endpoints under ``/rest``
(tags and categories) over TLS; its certificate is signed by a CA written to ``VSPHERE_CA_FILE``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from kops.errors import KopsError
from kops.testing.testbed import Testbed

#: The launcher's Go source, shipped with the package.
SOURCE = Path(__file__).with_name("vcenter_simulator.go")
#: Debian's packages the launcher builds from.
PACKAGES = ("golang-go", "golang-github-vmware-govmomi-dev")
#: Where Debian's Go libraries live (a GOPATH).
GOPATH = Path("/usr/share/gocode")
#: The user the simulator accepts: vCenter's built-in administrator.
USERNAME = "administrator@vsphere.local"
#: A second VM size for tests of machine types (the template itself has 2 CPUs and 4 GiB).
MACHINE_ALT = "4cpu-8gb"
#: Seconds to wait for the simulator to build its inventory and answer.
START_TIMEOUT = 60


def cache_dir() -> Path:
    """Where built launchers are kept between runs: ``$XDG_CACHE_HOME/kops`` or ``~/.cache/kops``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kops"


def launcher() -> Path:
    """The launcher's binary for the current source: built (and the toolchain installed) when not cached."""
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    binary = cache_dir() / f"vcenter-simulator-{digest}"
    if binary.exists():
        return binary
    _install_toolchain()
    binary.parent.mkdir(parents=True, exist_ok=True)
    partial = binary.with_name(f"{binary.name}.{os.getpid()}.partial")
    # Go's build cache (150 MB) is only worth keeping for rebuilds, which happen when the source changes.
    with tempfile.TemporaryDirectory(prefix="kops-go-build-") as gocache:
        env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOPROXY": "off", "GOFLAGS": "",
               "CGO_ENABLED": "0", "GOCACHE": gocache}
        built = subprocess.run(["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(partial), str(SOURCE)],
                               env=env, capture_output=True, text=True, timeout=900)
    if built.returncode != 0:
        partial.unlink(missing_ok=True)
        raise KopsError(f"building the vCenter simulator failed: {_tail(built.stderr)}")
    os.replace(partial, binary)
    return binary


def _install_toolchain() -> None:
    """Install Go and govmomi's sources from Debian when either is missing (refreshing the package lists
    only when the first try fails, as on a machine that never ran apt-get update)."""
    if shutil.which("go") and (GOPATH / "src/github.com/vmware/govmomi/simulator").is_dir():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", *PACKAGES]
    done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, text=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise KopsError(f"installing {' '.join(PACKAGES)} with apt-get failed: {_tail(done.stderr)}")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class VSphereTestbed(Testbed):
    slow = True

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.process: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None

    def start(self) -> dict[str, str]:
        binary = launcher()
        password = secrets.token_urlsafe(16)
        ca_file = self.workdir / "ca.pem"
        datastores = self.workdir / "datastores"
        datastores.mkdir()
        state = self.workdir / "state"
        state.mkdir()
        out = self.workdir / "simulator.out"
        self.log = (self.workdir / "simulator.log").open("wb")
        with out.open("wb") as stdout:
            # The simulator keeps each datastore's files in a temporary folder: keep them in the workdir.
            # Its standard input stays open while this testbed runs; it exits when that closes.
            self.process = subprocess.Popen(
                [str(binary), "-listen", "127.0.0.1:0", "-username", USERNAME, "-password", password,
                 "-ca-file", str(ca_file)],
                stdin=subprocess.PIPE, stdout=stdout, stderr=self.log, env={**os.environ, "TMPDIR": str(datastores)})
        inventory = self._wait_for_inventory(out)
        return {
            "VSPHERE_SERVER": inventory["url"].removeprefix("https://"),
            "VSPHERE_USERNAME": USERNAME,
            "VSPHERE_PASSWORD": password,
            "VSPHERE_CA_FILE": str(ca_file),
            "VSPHERE_DATACENTER": inventory["datacenter"],
            "VSPHERE_RESOURCE_POOL": inventory["resource_pool"],
            "VSPHERE_DATASTORE": inventory["datastore"],
            "VSPHERE_NETWORK": inventory["network"],
            "KOPS_VSPHERE_TEMPLATE": inventory["template"],
            "KOPS_VSPHERE_ZONES": ",".join(inventory["clusters"]),
            "KOPS_VSPHERE_MACHINE_ALT": MACHINE_ALT,
            "KOPS_STATE_STORE": state.as_uri(),
        }

    def _wait_for_inventory(self, out: Path) -> dict:
        """The launcher prints its inventory as one JSON line once it has served the template's creation."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = out.read_text()
            if line.endswith("\n"):
                return json.loads(line)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        log = (self.workdir / "simulator.log").read_text(errors="replace")
        raise KopsError(f"the vCenter simulator did not start within {START_TIMEOUT}s: {_tail(log) or 'no output'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def demo_flags(self, env: dict[str, str]) -> list[str]:
        return ["--zones", env["KOPS_VSPHERE_ZONES"], "--image", env["KOPS_VSPHERE_TEMPLATE"], "--networking", "calico"]
