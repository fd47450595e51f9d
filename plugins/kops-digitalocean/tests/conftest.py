"""Fixtures for the DigitalOcean plugin's tests: a fresh fake DigitalOcean API per test, with
``python-digitalocean`` pointed at it through its own environment variables, as a cloud plugin's would be; and the
installed ``kops`` command on a fresh machine (empty HOME, a local file:// state store, no cloud settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import digitalocean
import pytest
import yaml
from kops.testing import cli
from kops_digitalocean.testing.do_api import FakeDigitalOcean


@pytest.fixture(autouse=True)
def _nothing_reaches_the_real_api(monkeypatch):
    """python-digitalocean falls back to the real API's address; point it at a closed loopback port instead,
    so a test that forgets the fake fails here rather than calling out."""
    monkeypatch.setenv("DIGITALOCEAN_END_POINT", "http://127.0.0.1:9/v2/")
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)


@pytest.fixture
def fake(monkeypatch):
    """The running fake; ``DIGITALOCEAN_ACCESS_TOKEN`` and ``DIGITALOCEAN_END_POINT`` point at it."""
    with FakeDigitalOcean() as api:
        for name, value in api.environ().items():
            monkeypatch.setenv(name, value)
        yield api


@pytest.fixture
def manager(fake) -> digitalocean.Manager:
    return digitalocean.Manager()


@pytest.fixture
def kops(tmp_path: Path):
    """``kops(*args, env=None)``: run the installed ``kops``, output captured as text."""
    return cli.runner(cli.isolated_env(tmp_path))


@pytest.fixture
def dry_run(kops):
    """``dry_run(*flags, name=...)``: every document ``kops create cluster NAME --cloud digitalocean --dry-run -o yaml``
    prints, as ``{"Cluster": tree, "InstanceGroup/<name>": tree, ...}``; a failure fails the test with its stderr."""

    def run(*flags: str, name: str = "do.example.com") -> dict[str, Any]:
        result = kops("create", "cluster", name, "--cloud", "digitalocean", "--dry-run", "-o", "yaml", *flags)
        assert result.returncode == 0, result.stderr
        docs: dict[str, Any] = {}
        for doc in yaml.safe_load_all(result.stdout):
            if doc:
                docs["Cluster" if doc["kind"] == "Cluster" else f"{doc['kind']}/{doc['metadata']['name']}"] = doc
        return docs

    return run
