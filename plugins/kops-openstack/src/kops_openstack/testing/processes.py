"""The testbed's services as plain processes it owns: each in a process group of its own (so its workers go
with it), its output in a log file, and all of them stopped, newest first, when the testbed stops."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kops.errors import KopsError

#: Seconds a service gets to stop on SIGTERM before it is killed.
STOP_GRACE = 10.0


def parallel(*steps: Callable[[], object]) -> None:
    """Run ``steps`` side by side (most of a start is waiting on other processes); the first failure, in the
    order given, is raised once all have ended."""
    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        futures = [pool.submit(step) for step in steps]
    for future in futures:
        future.result()


def then(*steps: Callable[[], object]) -> Callable[[], None]:
    """One step that runs ``steps`` in order."""

    def run() -> None:
        for step in steps:
            step()

    return run


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports nothing listens on, for services to bind on loopback. They come from below
    the kernel's range for outgoing connections: a port taken from that range could be taken again, as the local
    end of some connection, before the service that was to listen on it starts. Random, so that two testbeds
    (or a developer's own services on the usual ports) do not collide."""
    try:
        first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        first_ephemeral = 32768
    candidates = random.sample(range(10000, max(first_ephemeral, 10000 + 4 * count)), 4 * count)
    ports: list[int] = []
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise KopsError(f"found no {count} free ports on 127.0.0.1 between 10000 and {first_ephemeral}")


def listening(port: int) -> bool:
    """Whether something accepts connections on ``port`` on loopback."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.rstrip().splitlines()[-lines:]) or f"(empty log {path})"


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def failure(self, what: str) -> KopsError:
        return KopsError(f"{self.name} {what}; the end of its log ({self.log}):\n{log_tail(self.log)}")


class Supervisor:
    """Starts services and stops every one of them, whatever state the testbed was left in."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.services: list[Service] = []

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Service:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        service = Service(name, proc, log)
        self.services.append(service)
        return service

    def check(self) -> None:
        """Fail, naming the service, if one has exited."""
        for service in self.services:
            code = service.proc.poll()
            if code is not None:
                raise service.failure(f"exited with status {code}")

    def wait_http(self, service: Service, url: str, timeout: float, ok: tuple[int, ...] = (200, 300, 401)) -> None:
        """Wait until ``url`` answers with one of ``ok`` (an API's version document, or 401 behind Keystone).
        A service that exits, or does not answer in time, is an error naming it, with the end of its log."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            code = service.proc.poll()
            if code is not None:
                raise service.failure(f"exited with status {code} before {url} answered")
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    status = resp.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (OSError, ValueError) as exc:
                status, last = 0, str(exc)
            if status in ok:
                return
            if status:
                last = f"HTTP {status}"
            if time.monotonic() > deadline:
                raise service.failure(f"did not answer at {url} within {timeout:.0f} s ({last})")
            time.sleep(0.5)

    def wait_for(self, service: Service, ready, what: str, timeout: float) -> None:
        """Wait until ``ready()`` is true; an exit or a timeout is an error naming the service and ``what``."""
        deadline = time.monotonic() + timeout
        while not ready():
            code = service.proc.poll()
            if code is not None:
                raise service.failure(f"exited with status {code} before {what}")
            if time.monotonic() > deadline:
                raise service.failure(f"not ready within {timeout:.0f} s: {what}")
            time.sleep(0.5)

    def stop_all(self) -> None:
        """SIGTERM every service's process group, newest first, then SIGKILL whatever is left."""
        for service in reversed(self.services):
            _signal_group(service.proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for service in reversed(self.services):
            try:
                service.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Workers a service forked stay in its group: take them down too, even when the parent went first.
            _signal_group(service.proc, signal.SIGKILL)
            try:
                service.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.services.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
