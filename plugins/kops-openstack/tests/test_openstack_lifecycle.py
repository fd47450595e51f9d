"""An OpenStack cluster's spec through the state store: create, read back, edit, replace, add a group; and the
commands that would need the cloud refusing in one line."""

from __future__ import annotations

import pytest
import yaml
from kops.testing import upstream
from kops.testing.cli import one_line_error

NAME = "life.example.com"


@pytest.fixture
def created(kops):
    r = kops("create", "cluster", NAME, "--cloud", "openstack", "--zones", "zone-1,zone-2", "--network-cidr",
             "10.0.0.0/16", "--image", "ubuntu-24.04", "--networking", "calico", "--topology", "private",
             "--api-loadbalancer-type", "public", "--os-octavia", "--os-ext-net", "ext")
    assert r.returncode == 0, r.stderr
    return kops


def test_round_trip_through_the_state_store(created, tmp_path):
    kops = created
    first = kops("get", "all", NAME, "-o", "yaml")
    assert first.returncode == 0, first.stderr
    docs = [d for d in yaml.safe_load_all(first.stdout) if d]
    assert [(s["name"], s["cidr"]) for s in docs[0]["spec"]["subnets"]] == [
        ("zone-1", "10.0.64.0/18"), ("zone-2", "10.0.128.0/18"),
        ("utility-zone-1", "10.0.0.0/21"), ("utility-zone-2", "10.0.8.0/21")]
    assert docs[0]["spec"]["cloudConfig"]["openstack"]["loadbalancer"]["provider"] == "octavia"
    path = tmp_path / "all.yaml"
    path.write_text(first.stdout)
    replaced = kops("replace", "-f", str(path))
    assert replaced.returncode == 0, replaced.stderr
    assert kops("get", "all", NAME, "-o", "yaml").stdout == first.stdout


def test_edit_with_set_is_validated(created):
    kops = created
    ok = kops("edit", "cluster", NAME, "--set", "spec.cloudConfig.openstack.blockStorage.ignore-volume-az=true")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "cluster", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["cloudConfig"]["openstack"]["blockStorage"]["ignore-volume-az"] is True
    bad = kops("edit", "cluster", NAME, "--set", "spec.additionalNetworkCIDRs=10.1.0.0/16")
    assert "spec.additionalNetworkCIDRs" in one_line_error(bad)


def test_create_instance_group(created):
    kops = created
    ok = kops("create", "instancegroup", "extra", "--name", NAME, "--subnet", "zone-2", "--edit=false")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "instancegroup", "extra", "--name", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["subnets"] == ["zone-2"] and spec["machineType"] == "m1.medium" and "zones" not in spec
    refused = kops("create", "instancegroup", "api", "--name", NAME, "--role", "APIServer", "--edit=false")
    assert "spec.role" in one_line_error(refused)


def test_update_without_credentials_is_one_line(created):
    assert "no OpenStack credentials" in one_line_error(created("update", "cluster", NAME))


def test_terraform_is_refused_before_anything_is_written(created, tmp_path):
    r = created("update", "cluster", NAME, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes")
    assert one_line_error(r) == ("Error: cloud openstack: kops writes no Terraform for its resources; apply them "
                                 "with kops update cluster --yes")
    assert not (tmp_path / "tf").exists()


UPSTREAM = upstream.root() / "update_cluster"
CASES = upstream.cases("update_cluster/*/in-v1alpha2.yaml", value=lambda p: p.parent.name,
                       keep=lambda p: "cloudProvider: openstack" in p.read_text())


def leaves(node, path=""):
    if isinstance(node, dict) and node:
        for k, v in node.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(node, list) and node:
        for i, v in enumerate(node):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, node


@pytest.mark.parametrize("case", CASES)
def test_upstream_openstack_manifests_are_accepted_and_come_back_whole(kops, case):
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
