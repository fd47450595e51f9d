"""A vSphere cluster's spec through the state store: create, read back, edit, replace, add a group; and the
commands that need vCenter refusing in one line without its credentials."""

from __future__ import annotations

import pytest
import yaml
from kops.testing.cli import documents, one_line_error
from vsphere_kit import TEMPLATE

NAME = "life.example.com"
ZONES = "DC0_C0,DC0_C1,DC0_C2"


@pytest.fixture
def created(kops):
    r = kops("create", "cluster", NAME, "--cloud", "vsphere", "--zones", ZONES, "--control-plane-zones", ZONES,
             "--node-count", "2", "--image", TEMPLATE, "--networking", "calico")
    assert r.returncode == 0, r.stderr
    return kops


def test_round_trip_through_the_state_store(created, tmp_path):
    kops = created
    first = kops("get", "all", NAME, "-o", "yaml")
    assert first.returncode == 0, first.stderr
    docs = documents(first.stdout)
    assert docs["Cluster"]["spec"]["cloudConfig"]["vSphereServer"] == "vcenter.example.com"
    assert {key for key in docs if key != "Cluster"} == {
        f"InstanceGroup/{role}-dc0-c{i}" for role in ("control-plane", "nodes") for i in range(3)}
    path = tmp_path / "all.yaml"
    path.write_text(first.stdout)
    replaced = kops("replace", "-f", str(path))
    assert replaced.returncode == 0, replaced.stderr
    assert kops("get", "all", NAME, "-o", "yaml").stdout == first.stdout


def test_edit_with_set_is_validated(created):
    kops = created
    ok = kops("edit", "cluster", NAME, "--set", "spec.cloudConfig.vSphereDatastore=vsanDatastore")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "cluster", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["cloudConfig"]["vSphereDatastore"] == "vsanDatastore"
    password = kops("edit", "cluster", NAME, "--set", "spec.cloudConfig.vSpherePassword=hunter2")
    assert "spec.cloudConfig.vSpherePassword" in one_line_error(password)
    scheme = kops("edit", "cluster", NAME, "--set", "spec.cloudConfig.vSphereServer=https://vc.example.com")
    assert "spec.cloudConfig.vSphereServer" in one_line_error(scheme)
    resized = kops("edit", "instancegroup", "nodes-dc0-c0", "--name", NAME, "--set", "spec.machineType=4cpu-8gb")
    assert resized.returncode == 0, resized.stderr
    bad = kops("edit", "instancegroup", "nodes-dc0-c0", "--name", NAME, "--set", "spec.machineType=large")
    assert "spec.machineType" in one_line_error(bad) and "4cpu-8gb" in bad.stderr


def test_a_new_group_clones_the_clusters_template(created):
    kops = created
    ok = kops("create", "instancegroup", "extra", "--name", NAME, "--subnet", "DC0_C1", "--edit=false")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "instancegroup", "extra", "--name", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["subnets"] == ["DC0_C1"]
    assert (spec["image"], spec["machineType"]) == (TEMPLATE, "2cpu-4gb")


@pytest.mark.parametrize("flags", [[], ["--yes"]])
def test_update_cluster_without_credentials_refuses_in_one_line(created, flags):
    r = created("update", "cluster", NAME, *flags)
    assert one_line_error(r) == "Error: vSphere: set VSPHERE_USERNAME and VSPHERE_PASSWORD to reach the vCenter"


def test_commands_that_need_vcenter_refuse_in_one_line_without_credentials(created):
    listed = created("get", "instances", NAME)  # may first warn that the Kubernetes API cannot be asked
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert "VSPHERE_USERNAME" in listed.stderr.strip().splitlines()[-1]
    assert "VSPHERE_USERNAME" in one_line_error(created("delete", "cluster", NAME, "--yes"))
    assert created("get", "cluster", NAME).returncode == 0  # still there
