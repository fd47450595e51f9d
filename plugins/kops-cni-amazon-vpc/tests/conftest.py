"""Fixtures for the Amazon VPC plugin's tests: the shared networking-plugin fixtures of :mod:`kops.testing.cni`,
for a small AWS cluster using Amazon VPC."""

from __future__ import annotations

import pytest
from kops.testing.cni import *  # noqa: F403 - the shared fixtures, found by pytest by name
from kops.testing.cni import CNICase, cluster_tree


@pytest.fixture
def cni_case() -> CNICase:
    return CNICase("amazon-vpc", cluster_tree("vpc.example.com", {"amazonvpc": {}},
                                          non_masquerade_cidr="172.20.0.0/16"))
