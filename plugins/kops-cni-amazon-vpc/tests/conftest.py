"""Fixtures: the installed ``kops`` run as a user would, and clusters built from manifests."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

KOPS = str(Path(sys.executable).with_name("kops"))

BASE_CLUSTER: dict[str, Any] = {
    "apiVersion": "kops.k8s.io/v1alpha2",
    "kind": "Cluster",
    "metadata": {"name": "vpc.example.com"},
    "spec": {
        "cloudProvider": "aws",
        "kubernetesVersion": "v1.32.0",
        "networkCIDR": "172.20.0.0/16",
        "nonMasqueradeCIDR": "172.20.0.0/16",
        "networking": {"amazonvpc": {}},
    },
}


@pytest.fixture
def create_cluster(tmp_path: Path):
    """``kops create cluster vpc.example.com --cloud aws --zones us-test-1a --dry-run -o yaml ARGS...`` with an
    empty HOME and a fresh file:// state store: the Cluster document it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
    home = tmp_path / "home"
    home.mkdir()
    env.update(HOME=str(home), KOPS_STATE_STORE=f"file://{tmp_path / 'store'}")

    def run(*args: str) -> dict[str, Any]:
        result = subprocess.run([KOPS, "create", "cluster", "vpc.example.com", "--cloud", "aws", "--zones",
                                 "us-test-1a", "--dry-run", "-o", "yaml", *args],
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return next(d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Cluster")

    return run


@pytest.fixture
def cluster_doc():
    """A fresh copy of a small AWS cluster using the Amazon VPC CNI, as a YAML tree to adjust per test."""
    return copy.deepcopy(BASE_CLUSTER)


@pytest.fixture
def to_cluster():
    """Turn a cluster tree into the ``kops.api.Cluster`` the hooks receive."""
    from kops.api.codec import from_dict

    return from_dict


@pytest.fixture
def plugin():
    """This plugin's hook implementations, as its installed ``kops.plugins`` entry point registered them."""
    from kops.plugins import plugin_manager

    return plugin_manager().get_plugin("amazon-vpc")
