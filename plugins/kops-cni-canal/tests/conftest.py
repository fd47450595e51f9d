"""Fixtures for the Canal plugin's tests: the shared networking-plugin fixtures of :mod:`kops.testing.cni`,
for a small AWS cluster using Canal."""

from __future__ import annotations

import pytest
from kops.testing.cni import *  # noqa: F403 - the shared fixtures, found by pytest by name
from kops.testing.cni import CNICase, cluster_tree


@pytest.fixture
def cni_case() -> CNICase:
    return CNICase("canal", cluster_tree("canal.example.com", {"canal": {}}, kubernetes_version="v1.33.0"))
