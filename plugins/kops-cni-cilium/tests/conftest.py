"""Fixtures for the Cilium plugin's tests: the shared networking-plugin fixtures of :mod:`kops.testing.cni`,
for a small AWS cluster using Cilium."""

from __future__ import annotations

import pytest
from kops.testing.cni import *  # noqa: F403 - the shared fixtures, found by pytest by name
from kops.testing.cni import CNICase, cluster_tree


@pytest.fixture
def cni_case() -> CNICase:
    return CNICase("cilium", cluster_tree("net.example.com", {"cilium": {}}, etcdClusters=[
        {"name": n, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-test-1a"}]}
        for n in ("main", "events")]))
