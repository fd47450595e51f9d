"""The installed ``kops`` command run as a user on a fresh machine would run it, for kops' and plugins' tests.

Going through the console script catches what calling Python functions cannot: an entry point that is not
registered, a plugin that fails to load, a flag that does not parse. Every run gets an empty HOME and a
file:// state store of its own, and the settings of the machine running the tests (a real state store,
cloud credentials) are left out, so they can neither make a test pass nor reach a real account.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

#: The console script installed next to the running interpreter: the one a user of this environment runs.
KOPS = str(Path(sys.executable).with_name("kops"))
#: Variables that could point kops at a real state store or cloud account.
HOST_SETTINGS = ("KOPS_", "AWS_", "GOOGLE_", "CLOUDSDK_", "OS_", "DIGITALOCEAN_", "VSPHERE_")
#: A folder for kops' cache that a test run shares among its tests (set by the run, see the project's conftest):
#: kops keys what it keeps by what it was worked out from (installed plugins, template sources, node bundle files),
#: so sharing it changes no result, and each test's fresh HOME would otherwise work it all out again.
SHARED_CACHE_VARIABLE = "KOPS_TEST_CACHE_HOME"


def isolated_env(root: Path) -> dict[str, str]:
    """This process's environment without kops' and the clouds' settings, with HOME (created, empty) and a
    file:// state store under ``root``; kops' cache is the run's shared one where the run has one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(HOST_SETTINGS)}
    if os.environ.get(SHARED_CACHE_VARIABLE):
        env["XDG_CACHE_HOME"] = os.environ[SHARED_CACHE_VARIABLE]
    home = root / "home"
    home.mkdir()
    env.update(HOME=str(home), KOPS_STATE_STORE=f"file://{root / 'store'}")
    return env


def runner(environment: dict[str, str], timeout: float = 120) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run(*args, input=None, env=None)``: ``kops ARGS...`` in ``environment`` (with ``env`` merged over it for
    one run), its output captured as text. The timeout turns a hung command into a failure instead of a stuck run."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KOPS, *args], env={**environment, **(env or {})}, input=input, capture_output=True,
                              text=True, timeout=timeout)

    return run


def dry_run_cluster(run: Callable[..., subprocess.CompletedProcess[str]], name: str, *flags: str) -> dict[str, Any]:
    """The Cluster document ``kops create cluster NAME --dry-run -o yaml FLAGS...`` prints, which is what a
    new cluster's spec would be without writing anything; a failing command fails the test with its stderr."""
    result = run("create", "cluster", name, "--dry-run", "-o", "yaml", *flags)
    assert result.returncode == 0, result.stderr
    return next(d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Cluster")


def documents(text: str) -> dict[str, Any]:
    """The documents ``kops ... -o yaml`` prints, as ``{"Cluster": tree, "InstanceGroup/<name>": tree, ...}``."""
    docs: dict[str, Any] = {}
    for doc in yaml.safe_load_all(text):
        if doc:
            docs["Cluster" if doc["kind"] == "Cluster" else f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return docs


def groups(docs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The instance groups' specs in ``docs`` (as :func:`documents` reads them), by group name."""
    return {key.split("/", 1)[1]: doc["spec"] for key, doc in docs.items() if key.startswith("InstanceGroup/")}


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a failed ``kops`` run (exit status 1), checked to be one line starting ``Error: `` with no
    traceback, as a user should see it; anything else fails the test with the command's output."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
