"""A GCE cluster's spec through the state store: create, read back, edit, replace, add a group; upstream's GCE
manifests accepted and read back whole."""

from __future__ import annotations

import pytest
import yaml
from kops.testing import upstream
from kops.testing.cli import one_line_error

NAME = "life.example.com"


@pytest.fixture
def created(kops):
    r = kops("create", "cluster", NAME, "--cloud", "gce", "--zones", "us-central1-a,us-central1-b",
             "--project", "p", "--networking", "calico")
    assert r.returncode == 0, r.stderr
    return kops


def test_round_trip_through_the_state_store(created, tmp_path):
    kops = created
    first = kops("get", "all", NAME, "-o", "yaml")
    assert first.returncode == 0, first.stderr
    docs = [d for d in yaml.safe_load_all(first.stdout) if d]
    assert docs[0]["spec"]["subnets"][0]["cidr"] == "10.0.16.0/20"
    assert {d["metadata"]["name"] for d in docs[1:]} == {
        "control-plane-us-central1-a", "nodes-us-central1-a", "nodes-us-central1-b"}
    path = tmp_path / "all.yaml"
    path.write_text(first.stdout)
    replaced = kops("replace", "-f", str(path))
    assert replaced.returncode == 0, replaced.stderr
    assert kops("get", "all", NAME, "-o", "yaml").stdout == first.stdout


def test_edit_with_set_is_validated(created):
    kops = created
    ok = kops("edit", "cluster", NAME, "--set", "spec.cloudConfig.gceServiceAccount=vm@p.iam.gserviceaccount.com")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "cluster", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["cloudConfig"] == {"gceServiceAccount": "vm@p.iam.gserviceaccount.com"}
    bad = kops("edit", "cluster", NAME, "--set", "spec.networkCIDR=10.0.0.0/16")
    assert "spec.networkCIDR" in one_line_error(bad)


def test_create_instance_group_needs_a_zone_and_labels_for_the_metadata_proxy(created):
    kops = created
    missing = kops("create", "instancegroup", "extra", "--name", NAME, "--edit=false")
    assert "--zone" in one_line_error(missing)
    bad = kops("create", "instancegroup", "extra", "--name", NAME, "--zone", "us-central1", "--edit=false")
    assert "--zone" in one_line_error(bad) and "invalid GCE zone" in bad.stderr
    elsewhere = kops("create", "instancegroup", "extra", "--name", NAME, "--zone", "us-east1-b", "--edit=false")
    assert "spec.zones[0]" in one_line_error(elsewhere)
    ok = kops("create", "instancegroup", "extra", "--name", NAME, "--zone", "us-central1-c", "--edit=false")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "instancegroup", "extra", "--name", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["zones"] == ["us-central1-c"] and spec["subnets"] == ["us-central1"]
    assert spec["machineType"] == "e2-medium"
    assert spec["nodeLabels"]["cloud.google.com/metadata-proxy-ready"] == "true"


UPSTREAM = upstream.root() / "update_cluster"
# ha_gce carries a taint kubelet refuses, which kops refuses at create (see tests/spec/test_conformance.py).
GCE_CASES = upstream.cases("update_cluster/*/in-v1alpha2.yaml", value=lambda p: p.parent.name,
                           keep=lambda p: "cloudProvider: gce" in p.read_text() and p.parent.name != "ha_gce")


def leaves(node, path=""):
    if isinstance(node, dict) and node:
        for k, v in node.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(node, list) and node:
        for i, v in enumerate(node):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, node


@pytest.mark.parametrize("case", GCE_CASES)
def test_upstream_gce_manifests_are_accepted_and_come_back_whole(kops, case):
    source = UPSTREAM / case / "in-v1alpha2.yaml"
    docs = [d for d in yaml.safe_load_all(source.read_text()) if d]
    created = kops("create", "-f", str(source))
    assert created.returncode == 0, created.stderr
    got = kops("get", "all", docs[0]["metadata"]["name"], "-o", "yaml")
    assert got.returncode == 0, got.stderr
    back = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(got.stdout) if d}
    for doc in docs:
        mine = dict(leaves(back[(doc["kind"], doc["metadata"]["name"])]))
        for path, value in leaves(doc):
            if path.startswith(".metadata.creationTimestamp"):
                continue
            assert mine.get(path) == value, f"{case}: {doc['kind']} {path}"
