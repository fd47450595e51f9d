"""Fixtures for the Cilium plugin's tests: the shared networking-plugin fixtures of :mod:`kops.testing.cni`,
for a small AWS cluster using Cilium."""

from __future__ import annotations

import pytest
from kops.testing.cni import (  # noqa: F401 - fixtures, found by pytest by name
    CNICase,
    addons,
    cluster_doc,
    cluster_tree,
    complete,
    create_cluster,
    firewall_rules,
    kops,
    make_cluster,
    plugin,
    problems,
    schema_problems,
    spec_tree,
    to_cluster,
)


@pytest.fixture
def cni_case() -> CNICase:
    return CNICase("cilium", cluster_tree("net.example.com", {"cilium": {}}, etcdClusters=[
        {"name": n, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-test-1a"}]}
        for n in ("main", "events")]))
