"""Fixtures for the DigitalOcean plugin's tests: a fresh fake DigitalOcean API per test, with
``python-digitalocean`` pointed at it through its own environment variables, as a cloud plugin's would be."""

from __future__ import annotations

import digitalocean
import pytest
from kops_digitalocean.testing.do_api import FakeDigitalOcean


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
