"""Fixtures for the Calico plugin's tests: the shared networking-plugin fixtures of :mod:`kops.testing.cni`,
for a small AWS cluster using Calico."""

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
    return CNICase("calico", cluster_tree("calico.example.com", {"calico": {}}, kubernetes_version="v1.33.0"))
