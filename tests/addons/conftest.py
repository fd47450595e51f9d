"""Fixtures for the add-on tests: clusters completed as ``kops update cluster`` completes them, the channel it
writes, manifests checked against Kubernetes' own schemas, and a fake API server to apply them to."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

CLUSTER = "addons.example.com"

SPEC = {
    "cloudProvider": "aws", "kubernetesVersion": "v1.35.0", "networkCIDR": "172.20.0.0/16",
    "nonMasqueradeCIDR": "100.64.0.0/10", "dnsZone": "example.com", "networking": {"calico": {}},
    "topology": {"dns": {"type": "Public"}}, "kubernetesApiAccess": ["0.0.0.0/0"], "sshAccess": ["0.0.0.0/0"],
    "subnets": [{"name": "us-east-1a", "zone": "us-east-1a", "cidr": "172.20.32.0/19", "type": "Public"}],
    "etcdClusters": [{"name": name, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-east-1a"}]}
                     for name in ("main", "events")],
    "iam": {"legacy": False}, "authorization": {"rbac": {}},
}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        base[key] = _merge(base.get(key) or {}, value) if isinstance(value, dict) and value else value
    return base


@pytest.fixture
def completed():
    """``completed(**spec)``: an AWS cluster with Calico and public DNS, ``spec`` merged in, completed for update."""
    from kops import api
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops_aws.cloud import AWSCloud

    def build(**spec: Any) -> Any:
        tree = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": CLUSTER},
                "spec": _merge(copy.deepcopy(SPEC), spec)}
        return api.from_dict(complete_cluster(tree, [], AWSCloud(), load_channel("stable")))

    return build


@pytest.fixture
def addons():
    """``addons(cluster)``: the add-ons of a completed cluster's channel, by name."""
    from kops.addons.channel import addons as channel_addons

    return lambda cluster: {a.name: a for a in channel_addons(cluster)}


@pytest.fixture
def objects():
    """``objects(manifest)``: a manifest's objects by (kind, name)."""
    return lambda manifest: {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest) if d}


@pytest.fixture
def schema_problems():
    """Every object of a manifest that does not validate strictly against one Kubernetes minor's schemas (or
    whose kind those schemas do not know), as readable lines; empty when all is well."""
    from kops.testing.manifests import schema_problems

    return lambda manifest, minor: schema_problems(manifest, [minor])


@pytest.fixture
def store_root(kops_env) -> Path:
    return Path(kops_env["KOPS_STATE_STORE"].removeprefix("file://"))


@pytest.fixture
def created(kops):
    """``created(*flags)``: ``kops create cluster`` of an AWS cluster with Calico, extra flags appended."""

    def create(*flags: str, name: str = CLUSTER) -> str:
        r = kops("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "calico",
                 *flags)
        assert r.code == 0, r.err
        return name

    return create


@pytest.fixture
def updated(kops, store_root, tmp_path):
    """``updated(name)``: run ``kops update cluster`` (Terraform target: nothing reaches a cloud) and return the
    channel it stored, as parsed YAML."""

    def update(name: str = CLUSTER) -> dict[str, Any]:
        r = kops("update", "cluster", name, "--target", "terraform", "--out", str(tmp_path / "tf"))
        assert r.code == 0, r.err
        return yaml.safe_load((store_root / name / "addons" / "bootstrap-channel.yaml").read_text())

    return update


@pytest.fixture
def fake_api():
    from kops.testing.kube_api import FakeKubeAPI

    with FakeKubeAPI() as api:
        yield api
