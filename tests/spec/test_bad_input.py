"""Bad input anywhere fails with one line naming the field or flag, exit 1, and leaves the store as it was."""

from __future__ import annotations

import pytest

from tests.spec.conftest import snapshot

GOOD_CLUSTER = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: file.example.com
spec:
  cloudProvider: aws
  kubernetesVersion: v1.32.0
  networkCIDR: 172.20.0.0/16
  networking:
    cni: {}
  subnets:
  - name: us-east-1a
    zone: us-east-1a
    type: Public
    cidr: 172.20.32.0/19
  etcdClusters:
  - name: main
    etcdMembers:
    - name: a
      instanceGroup: control-plane-us-east-1a
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: control-plane-us-east-1a
  labels:
    kops.k8s.io/cluster: file.example.com
spec:
  role: Master
  minSize: 1
  maxSize: 1
  subnets: [us-east-1a]
"""

BAD_MANIFESTS = {
    "unknown field": (GOOD_CLUSTER.replace("kubernetesVersion:", "kubernetesVersin:"), "spec.kubernetesVersin"),
    "wrong type": (GOOD_CLUSTER.replace("maxSize: 1", "maxSize: lots"), "spec.maxSize"),
    "wrong apiVersion": (GOOD_CLUSTER.replace("kops.k8s.io/v1alpha2\nkind: Cluster", "kops.k8s.io/v1beta9\nkind: Cluster"),
                         "apiVersion"),
    "bad CIDR": (GOOD_CLUSTER.replace("cidr: 172.20.32.0/19", "cidr: 172.20.32.0/40"), "spec.subnets[0].cidr"),
    "subnet outside network": (GOOD_CLUSTER.replace("cidr: 172.20.32.0/19", "cidr: 10.0.0.0/24"), "spec.subnets[0].cidr"),
    "min above max": (GOOD_CLUSTER.replace("minSize: 1", "minSize: 3"), "minSize"),
    "unknown subnet": (GOOD_CLUSTER.replace("subnets: [us-east-1a]", "subnets: [us-east-1z]"), "spec.subnets"),
    "not YAML": ("kind: Cluster\n  bad: [indentation", "line"),
}


@pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
def test_bad_manifest_is_refused_and_nothing_is_written(name, kops, cluster, tmp_path):
    text, named = BAD_MANIFESTS[name]
    store = tmp_path / "store"
    before = snapshot(store)
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(text)
    for verb in (["create", "-f"], ["replace", "--force", "-f"]):
        r = kops(*verb, str(manifest))
        assert r.code == 1
        assert "Traceback" not in r.err
        assert len(r.err.strip().splitlines()) == 1, r.err
        assert named in r.err
        assert snapshot(store) == before


BAD_FLAGS = [
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--topology", "sideways"], "--topology"),
    (["--zones", "nowhere", "--networking", "cni", "--cloud", "aws"], "nowhere"),
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--node-count", "many"], "--node-count"),
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--bastion"], "--bastion"),
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--set", "spec.nope=1"], "spec.nope"),
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--set", "spec.kubernetesVersion=banana"],
     "kubernetesVersion"),
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--network-cidr", "300.1.0.0/16"], "networkCIDR"),
    (["--zones", "us-east-1a", "--networking", "nosuchcni", "--cloud", "aws"], "nosuchcni"),
    (["--zones", "us-east-1a", "--networking", "cni"], "--cloud"),
    (["--zones", "us-east-1a", "--networking", "cni", "--cloud", "aws", "--kubernetes-version", "latest"], "latest"),
    (["--networking", "cni", "--cloud", "aws"], "--zones"),
]


@pytest.mark.parametrize("flags,named", BAD_FLAGS, ids=[n for _, n in BAD_FLAGS])
def test_bad_flags_are_refused_and_nothing_is_written(flags, named, kops, cluster, tmp_path):
    store = tmp_path / "store"
    before = snapshot(store)
    r = kops("create", "cluster", "other.example.com", *flags)
    assert r.code == 1
    assert "Traceback" not in r.err
    assert named in r.err
    assert snapshot(store) == before


def test_bad_names_are_refused(kops, cluster, tmp_path):
    before = snapshot(tmp_path / "store")
    for args in (["create", "cluster", "Not_A_DNS_Name", "--cloud", "aws", "--zones", "us-east-1a"],
                 ["create", "instancegroup", "Bad_Group", "--name", cluster, "--edit=false"],
                 ["create", "instancegroup", "nodes-extra", "--name", cluster, "--subnet", "nope", "--edit=false"],
                 ["edit", "cluster", cluster, "--set", "spec.subnets=oops"],
                 ["create", "sshpublickey", cluster, "-i", "/nonexistent.pub"]):
        r = kops(*args)
        assert r.code == 1, args
        assert "Traceback" not in r.err
    assert snapshot(tmp_path / "store") == before


def test_existing_cluster_is_not_overwritten_by_create(kops, cluster, tmp_path):
    before = snapshot(tmp_path / "store")
    r = kops("create", "cluster", cluster, "--cloud", "aws", "--zones", "us-east-1c", "--networking", "cni")
    assert r.code == 1 and "already exists" in r.err
    assert snapshot(tmp_path / "store") == before
