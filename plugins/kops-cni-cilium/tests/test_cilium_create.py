"""``kops create cluster --networking cilium*`` writes what upstream kOps writes."""

from __future__ import annotations

import pytest
from kops.errors import KopsError
from kops.inference import InferenceContext
from kops_cilium.provider import CiliumENI


def test_cilium_is_the_default_networking(create_cluster):
    spec = create_cluster()["spec"]
    assert spec["networking"] == {"cilium": {"enableNodePort": True}}
    assert spec["kubeProxy"] == {"enabled": False}


@pytest.mark.parametrize("name, options", [
    ("cilium", {"enableNodePort": True}),
    ("cilium-etcd", {"enableNodePort": True, "etcdManaged": True}),
    ("cilium-eni", {"enableNodePort": True, "ipam": "eni"}),
])
def test_each_networking_name_writes_its_options(create_cluster, name, options):
    spec = create_cluster("--networking", name)["spec"]
    assert spec["networking"] == {"cilium": options}
    assert spec["kubeProxy"] == {"enabled": False}


def test_cilium_etcd_gets_its_etcd_cluster(create_cluster):
    spec = create_cluster("--networking", "cilium-etcd")["spec"]
    assert [c["name"] for c in spec["etcdClusters"]] == ["main", "events", "cilium"]


def test_created_cluster_is_stored_and_lists_the_cilium_addon(kops):
    stored = kops("create", "cluster", "net.example.com", "--cloud", "aws", "--zones", "us-test-1a")
    assert stored.returncode == 0, stored.stderr
    listed = kops("toolbox", "addons", "list", "net.example.com", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert '"networking.cilium.io"' in listed.stdout


def test_eni_mode_is_refused_off_aws():
    ctx = InferenceContext(cluster={"metadata": {"name": "net.example.com"}, "spec": {"cloudProvider": "gce"}})
    with pytest.raises(KopsError, match="--networking cilium-eni: supported only on aws"):
        CiliumENI("cilium-eni").create_spec(ctx)
    assert "networking" not in ctx.spec
