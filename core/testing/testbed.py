"""Cloud stand-ins ("testbeds"): one way to start what a cloud's tests, demo and users try kops against.

A cloud plugin registers a :class:`Testbed` subclass under the entry-point group ``kops.testbed``, named like
its cloud::

    [project.entry-points."kops.testbed"]
    aws = "kops_aws.testing.testbed:AWSTestbed"

``start()`` brings the stand-in up on loopback and returns the environment that points ``kops`` and the
cloud's SDK at it (including a ``KOPS_STATE_STORE`` it serves); ``stop()`` takes it down. From a shell::

    python -m kops.testing.testbed aws        # prints `export NAME=VALUE` lines, then `ready`; Ctrl-C stops it

Stand-ins that take minutes to install or start (real services) set ``slow``: tests use them only when the
``KOPS_TESTBEDS`` variable names them (comma-separated, or ``all``), and a test run starts each of them once,
in the process that runs pytest, before its workers (see :func:`pytest_configure`). Elsewhere such tests skip
with a one-line reason.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

#: Names the slow testbeds a test run may start: ``openstack,vsphere``, or ``all``.
TESTBEDS_VARIABLE = "KOPS_TESTBEDS"
#: Where a test run hands a started testbed's environment to its workers: ``KOPS_TESTBED_ENV_<NAME>`` (JSON).
_ENV_PREFIX = "KOPS_TESTBED_ENV_"


class Testbed:
    """A cloud's stand-in. Subclass it in the cloud's plugin; see the module docstring."""

    #: The cloud's name (``--cloud``); set from the entry point's name when loaded.
    name: str = ""
    #: Minutes to install or start: used in tests only when ``KOPS_TESTBEDS`` names it.
    slow: bool = False

    def __init__(self, workdir: Path):
        """``workdir`` is an empty folder the testbed may keep its files in until :meth:`stop`."""
        self.workdir = workdir

    def start(self) -> dict[str, str]:
        """Start the stand-in; return the environment (``KOPS_STATE_STORE`` included) that points at it."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop what :meth:`start` started; safe to call after a failed start."""

    def demo_flags(self, env: dict[str, str]) -> list[str]:
        """The ``kops create cluster`` flags (beyond ``--cloud``) of a small cluster on this stand-in, once started
        with the environment ``env``: its zones, images, machine types (``make demo CLOUD=NAME``)."""
        return []


def available() -> dict[str, Any]:
    """Every registered testbed class, by name."""
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group="kops.testbed")}


def load(name: str) -> type[Testbed]:
    """The testbed class registered as ``name``; an unknown name is a one-line error naming the known ones."""
    from kops.errors import KopsError

    found = available()
    if name not in found:
        known = ", ".join(sorted(found)) or "none (install a cloud plugin)"
        raise KopsError(f"no testbed is registered for {name!r} (registered: {known})")
    cls = found[name].load()
    cls.name = name
    return cls


def enabled(name: str) -> bool:
    """Whether ``KOPS_TESTBEDS`` names ``name`` (or says ``all``)."""
    names = {n.strip() for n in os.environ.get(TESTBEDS_VARIABLE, "").split(",") if n.strip()}
    return name in names or "all" in names


def exports(env: dict[str, str]) -> str:
    """``export NAME=VALUE`` lines, shell-quoted, sorted by name."""
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items()))


# --- tests ---------------------------------------------------------------------------------------------

class _Running:
    """Testbeds started in this process, stopped together at exit."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.beds: dict[str, tuple[Testbed, dict[str, str], tempfile.TemporaryDirectory[str]]] = {}

    def start(self, name: str) -> dict[str, str]:
        with self.lock:
            if name not in self.beds:
                folder = tempfile.TemporaryDirectory(prefix=f"kops-testbed-{name}-")
                bed = load(name)(Path(folder.name))
                try:
                    env = bed.start()
                except BaseException:
                    bed.stop()
                    folder.cleanup()
                    raise
                self.beds[name] = (bed, env, folder)
            return self.beds[name][1]

    def stop_all(self) -> None:
        with self.lock:
            for bed, _, folder in self.beds.values():
                bed.stop()
                folder.cleanup()
            self.beds.clear()


_RUNNING = _Running()


def environment(name: str) -> dict[str, str]:
    """The environment of testbed ``name`` for a test: the one the test run started, or (for a quick stand-in)
    one started in this process on first use and kept until the process ends. A slow testbed that
    ``KOPS_TESTBEDS`` does not name skips the test with a one-line reason."""
    import pytest

    handed = os.environ.get(_ENV_PREFIX + name.upper())
    if handed:
        return dict(json.loads(handed))
    cls = load(name)
    if cls.slow and not enabled(name):
        pytest.skip(f"the {name} testbed takes minutes to start: set {TESTBEDS_VARIABLE}={name} to run this test")
    return _RUNNING.start(name)


def pytest_configure(config: Any) -> None:
    """In the process that runs pytest (not in an xdist worker), start every slow testbed ``KOPS_TESTBEDS``
    names once, before workers are made, and hand its environment to them through the process environment."""
    if hasattr(config, "workerinput"):
        return
    for name, entry in sorted(available().items()):
        if _ENV_PREFIX + name.upper() in os.environ:
            continue  # handed in by whoever started it (a testbed already running)
        if enabled(name) and getattr(entry.load(), "slow", False):
            os.environ[_ENV_PREFIX + name.upper()] = json.dumps(_RUNNING.start(name))


def pytest_unconfigure(config: Any) -> None:
    _RUNNING.stop_all()


# --- python -m kops.testing.testbed CLOUD ----------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    import argparse

    from kops.errors import KopsError

    parser = argparse.ArgumentParser(prog="python -m kops.testing.testbed",
                                     description="Start a cloud's stand-in on loopback and print its environment.")
    parser.add_argument("cloud", help=f"the cloud's name ({', '.join(sorted(available())) or 'none installed'})")
    args = parser.parse_args(argv)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        env = _RUNNING.start(args.cloud)
    except KopsError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    try:
        sys.stdout.write(exports(env) + "ready\n")
        sys.stdout.flush()
        while not stopping.wait(1):
            pass
    finally:
        _RUNNING.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
