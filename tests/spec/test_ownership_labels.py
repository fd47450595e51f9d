"""No user-given label may write the tags that decide which cluster owns a resource, nor what the cloud refuses:
refused at create, edit and replace with the field path, and nothing is written."""

from __future__ import annotations

import pytest

from tests.spec.conftest import snapshot

CREATE = ["create", "cluster", "lab.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni"]

#: (label, what the one-line error names)
REFUSED = [
    ("KubernetesCluster=other.example.com", "spec.cloudLabels[KubernetesCluster]"),
    ("kubernetes.io/cluster/other.example.com=owned", "spec.cloudLabels[kubernetes.io/cluster/other.example.com]"),
    ("kops.k8s.io/state-store=abc", "spec.cloudLabels[kops.k8s.io/state-store]"),
    ("aws:cloudformation:stack=x", "spec.cloudLabels[aws:cloudformation:stack]"),
    ("AWS:owner=x", "spec.cloudLabels[AWS:owner]"),
    ("Name=everything", "spec.cloudLabels[Name]"),
    ("k" * 129 + "=v", "spec.cloudLabels[" + "k" * 129 + "]"),
    ("team=" + "v" * 257, "spec.cloudLabels[team]"),
    ("team=a#b", "spec.cloudLabels[team]"),
]


@pytest.mark.parametrize("label,named", REFUSED, ids=[n[:60] for _, n in REFUSED])
def test_create_refuses_labels_aws_or_ownership_forbid(label, named, kops, tmp_path):
    r = kops(*CREATE, "--cloud-labels", label)
    assert r.code == 1
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert named in r.err
    assert not (tmp_path / "store").exists() or not snapshot(tmp_path / "store")


def test_too_many_labels_are_refused_at_create(kops):
    labels = ",".join(f"team{i}=x" for i in range(41))
    r = kops(*CREATE, "--cloud-labels", labels)
    assert r.code == 1 and "spec.cloudLabels: 41 labels are too many" in r.err, r.err
    assert kops(*CREATE, "--cloud-labels", ",".join(f"team{i}=x" for i in range(40))).code == 0


def test_edit_and_replace_refuse_them_too_and_change_nothing(kops, tmp_path):
    assert kops(*CREATE).code == 0
    store = tmp_path / "store"
    before = snapshot(store)
    r = kops("edit", "cluster", "lab.example.com", "--set", "spec.cloudLabels.KubernetesCluster=other.example.com")
    assert r.code == 1 and "Cluster/lab.example.com: spec.cloudLabels[KubernetesCluster]" in r.err, r.err
    r = kops("edit", "ig", "--name", "lab.example.com", "nodes-us-east-1a", "--set",
             "spec.cloudLabels.KubernetesCluster=other.example.com")
    assert r.code == 1 and "InstanceGroup/nodes-us-east-1a: spec.cloudLabels[KubernetesCluster]" in r.err, r.err
    manifest = kops("get", "cluster", "lab.example.com", "-o", "yaml").out
    spoofed = manifest.replace("spec:\n", "spec:\n  cloudLabels:\n    KubernetesCluster: other.example.com\n", 1)
    (tmp_path / "spoofed.yaml").write_text(spoofed)
    r = kops("replace", "-f", str(tmp_path / "spoofed.yaml"))
    assert r.code == 1 and "Cluster/lab.example.com: spec.cloudLabels[KubernetesCluster]" in r.err, r.err
    assert snapshot(store) == before


def test_other_labels_are_kept(kops):
    assert kops(*CREATE, "--cloud-labels", "team=platform,cost-center=k8s:42").code == 0
    spec = kops("get", "cluster", "lab.example.com", "-o", "yaml").out
    assert "team: platform" in spec and "cost-center: k8s:42" in spec


@pytest.mark.parametrize("label", ["k8s.io/cluster.name=x", "K8s-io-role-master=1", "kops.k8s.io/state-store=x"])
def test_gce_refuses_labels_that_become_its_ownership_labels(label, kops):
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--project", "p",
             "--networking", "cni", "--cloud-labels", label)
    assert r.code == 1 and f"spec.cloudLabels[{label.split('=')[0]}]" in r.err, r.err
