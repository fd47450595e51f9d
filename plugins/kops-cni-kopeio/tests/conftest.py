"""Fixtures: the installed ``kops`` run as a user would, and clusters built from manifests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from kops.testing import cli, plugins

BASE_CLUSTER: dict[str, Any] = {
    "apiVersion": "kops.k8s.io/v1alpha2",
    "kind": "Cluster",
    "metadata": {"name": "kopeio.example.com"},
    "spec": {
        "cloudProvider": "aws",
        "kubernetesVersion": "v1.32.0",
        "networkCIDR": "172.20.0.0/16",
        "nonMasqueradeCIDR": "100.64.0.0/10",
        "networking": {"kopeio": {}},
    },
}


@pytest.fixture
def create_cluster(tmp_path: Path):
    """``kops create cluster kopeio.example.com --cloud aws --zones us-test-1a --dry-run -o yaml ARGS...`` with an
    empty HOME and a fresh file:// state store: the Cluster document it prints."""
    kops = cli.runner(cli.isolated_env(tmp_path))
    return lambda *args: cli.dry_run_cluster(kops, "kopeio.example.com", "--cloud", "aws", "--zones", "us-test-1a", *args)


@pytest.fixture
def cluster_doc():
    """A fresh copy of a small AWS cluster using kopeio networking, as a YAML tree to adjust per test."""
    return copy.deepcopy(BASE_CLUSTER)


@pytest.fixture
def to_cluster():
    """Turn a cluster tree into the ``kops.api.Cluster`` the hooks receive."""
    from kops.api.codec import from_dict

    return from_dict


@pytest.fixture
def plugin():
    """This plugin's hook implementations, as its installed ``kops.plugins`` entry point registered them."""
    return plugins.registered("kopeio")
