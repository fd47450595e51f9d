"""A DigitalOcean cluster's spec through the state store: create, read back, edit, replace, add a group; and the
commands that would need the cloud refusing in one line."""

from __future__ import annotations

import uuid

import pytest
import yaml
from kops.testing import cli
from kops.testing.cli import one_line_error
from kops.testing.testbed import environment

NAME = "life.example.com"


@pytest.fixture
def created(kops):
    r = kops("create", "cluster", NAME, "--cloud", "digitalocean", "--zones", "nyc1", "--control-plane-count", "3",
             "--node-count", "2", "--networking", "calico")
    assert r.returncode == 0, r.stderr
    return kops


def test_round_trip_through_the_state_store(created, tmp_path):
    kops = created
    first = kops("get", "all", NAME, "-o", "yaml")
    assert first.returncode == 0, first.stderr
    docs = [d for d in yaml.safe_load_all(first.stdout) if d]
    assert docs[0]["spec"]["subnets"] == [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public"}]
    assert {d["metadata"]["name"] for d in docs[1:]} == {
        "control-plane-nyc1-1", "control-plane-nyc1-2", "control-plane-nyc1-3", "nodes-nyc1"}
    path = tmp_path / "all.yaml"
    path.write_text(first.stdout)
    replaced = kops("replace", "-f", str(path))
    assert replaced.returncode == 0, replaced.stderr
    assert kops("get", "all", NAME, "-o", "yaml").stdout == first.stdout


def test_edit_with_set_is_validated(created):
    kops = created
    ok = kops("edit", "cluster", NAME, "--set", "spec.networkCIDR=10.108.0.0/20")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "cluster", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["networkCIDR"] == "10.108.0.0/20"
    public = kops("edit", "cluster", NAME, "--set", "spec.networkCIDR=198.51.100.0/24")
    assert "spec.networkCIDR" in one_line_error(public) and "private range" in public.stderr
    private_dns = kops("edit", "cluster", NAME, "--set", "spec.topology.dns.type=Private")
    assert "spec.topology.dns.type" in one_line_error(private_dns)
    size = kops("edit", "instancegroup", "nodes-nyc1", "--name", NAME, "--set", "spec.machineType=s-4vcpu-8gb")
    assert size.returncode == 0, size.stderr
    bad = kops("edit", "instancegroup", "nodes-nyc1", "--name", NAME, "--set", "spec.machineType=4 vCPUs")
    assert "spec.machineType" in one_line_error(bad)


def test_moving_the_subnet_to_another_region_in_an_editor_is_refused(created, tmp_path):
    kops = created
    seen = tmp_path / "seen.yaml"
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\ncat \"$1\" >> {seen}\nsed -i 's/region: nyc1/region: nyc3/' \"$1\"\n")
    editor.chmod(0o755)
    r = kops("edit", "cluster", NAME, env={"EDITOR": str(editor)})
    assert r.returncode == 1
    # The editor is shown the file again with the problem, naming the field.
    assert "spec.subnets[0].zone: on DigitalOcean a subnet's zone is its region (nyc3), not nyc1" in seen.read_text()
    assert "region: nyc1" in kops("get", "cluster", NAME, "-o", "yaml").stdout  # nothing stored


def test_create_instance_group_takes_digitaloceans_defaults(created):
    kops = created
    ok = kops("create", "instancegroup", "extra", "--name", NAME, "--edit=false")
    assert ok.returncode == 0, ok.stderr
    spec = yaml.safe_load(kops("get", "instancegroup", "extra", "--name", NAME, "-o", "yaml").stdout)["spec"]
    assert spec["subnets"] == ["nyc1"]
    assert (spec["machineType"], spec["image"]) == ("s-2vcpu-4gb-amd", "ubuntu-24-04-x64")


NO_TOKEN = "Error: DIGITALOCEAN_ACCESS_TOKEN is not set: it holds the DigitalOcean API token kops works with"


@pytest.mark.parametrize("flags", [[], ["--yes"]])
def test_update_cluster_without_a_token_refuses_in_one_line(created, flags):
    assert one_line_error(created("update", "cluster", NAME, *flags)) == NO_TOKEN


def test_commands_that_need_the_cloud_refuse_in_one_line_without_a_token(created):
    listed = created("get", "instances", NAME)  # may first warn that the Kubernetes API cannot be asked
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert listed.stderr.strip().splitlines()[-1] == NO_TOKEN
    assert one_line_error(created("delete", "cluster", NAME, "--yes")) == NO_TOKEN
    assert created("get", "cluster", NAME).returncode == 0  # still there


def test_a_cluster_kept_in_spaces_on_the_testbed(tmp_path):
    """With the testbed's Spaces variables and a do:// store: the store chooses the cloud, and the spec is kept in
    Spaces at upstream's keys."""
    import boto3
    from botocore.config import Config

    env = environment("digitalocean")
    bucket = f"kops-do-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=env["S3_ENDPOINT"], region_name=env["S3_REGION"],
                 aws_access_key_id=env["S3_ACCESS_KEY_ID"], aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
                 config=Config(s3={"addressing_style": "path"})).create_bucket(Bucket=bucket)
    store = f"do://{bucket}/clusters"
    run = cli.runner({**cli.isolated_env(tmp_path), **env, "KOPS_STATE_STORE": store})
    name = "spaces.example.com"
    created = run("create", "cluster", name, "--zones", "ams3", "--control-plane-count", "3")
    assert created.returncode == 0, created.stderr
    assert f"created in {store}" in created.stdout
    listed = run("get", "clusters", name)
    assert listed.stdout.splitlines()[1].split() == [name, "digitalocean", "ams3"]
    docs = [d for d in yaml.safe_load_all(run("get", "all", name, "-o", "yaml").stdout) if d]
    assert docs[0]["spec"]["configBase"] == f"{store}/{name}"
    assert sorted(d["metadata"]["name"] for d in docs[1:]) == [
        "control-plane-ams3-1", "control-plane-ams3-2", "control-plane-ams3-3", "nodes-ams3"]
    planned = run("update", "cluster", name)
    assert planned.returncode == 0, planned.stderr
    assert "DropletGroup/control-plane-ams3-3.masters.spaces.example.com will be created" in planned.stdout
