"""Fixtures for the Flannel plugin's tests: the shared networking-plugin fixtures of :mod:`kops.testing.cni`,
for a small AWS cluster using Flannel."""

from __future__ import annotations

import pytest
from kops.testing.cni import *  # noqa: F403 - the shared fixtures, found by pytest by name
from kops.testing.cni import CNICase, cluster_tree


@pytest.fixture
def cni_case() -> CNICase:
    return CNICase("flannel", cluster_tree("flannel.example.com", {"flannel": {"backend": "vxlan"}},
                                       kubernetes_version="v1.33.0"))
