"""Fixtures for the DigitalOcean plugin's tests: a fresh fake DigitalOcean API per test, with
``python-digitalocean`` pointed at it through its own environment variables, as a cloud plugin's would be; and the
plugin in the shared cloud fixtures (:mod:`kops.testing.cloud`): ``kops`` on a fresh machine and ``dry_run`` of
``kops create cluster --cloud digitalocean``."""

from __future__ import annotations

import digitalocean
import pytest
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures, found by pytest by name
from kops.testing.cloud import CloudCase
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


def leftovers(env: dict[str, str], cluster_name: str) -> list[str]:
    """Everything the testbed's API holds that is tagged for the cluster or named after it, as ``<kind> <name>``."""
    api = digitalocean.Manager(token=env["DIGITALOCEAN_ACCESS_TOKEN"], end_point=env["DIGITALOCEAN_END_POINT"])
    safe = cluster_name.replace(".", "-")
    found = []
    for kind, key in (("droplets", "droplets"), ("volumes", "volumes"), ("load_balancers", "load_balancers"),
                      ("firewalls", "firewalls"), ("vpcs", "vpcs"), ("account/keys", "ssh_keys"), ("tags", "tags")):
        for item in api.get_data(kind)[key]:
            text = " ".join([item.get("name", ""), *item.get("tags", []), item.get("tag") or ""])
            if cluster_name in text or safe in text:
                found.append(f"{kind} {item.get('name')}")
    return sorted(found)


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """The ``nyc1`` region, on the digitalocean testbed."""
    return CloudCase(cloud="digitalocean", zones="nyc1", testbed="digitalocean", leftovers=leftovers)
