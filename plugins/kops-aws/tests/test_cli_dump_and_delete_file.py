"""On the AWS emulator: ``kops toolbox dump`` shows a running cluster's resources and machines (and no secret), and
``kops delete -f`` deletes the cluster a manifest names, as ``kops delete cluster`` does."""

from __future__ import annotations

import json
import re

import boto3
import yaml
from cli_kit import create, kops, owned_anything, owned_vpcs


def test_dump_shows_resources_and_instances_without_secrets(lab):
    name = lab["name"]
    create(lab, "--ssh-public-key", _ssh_key(lab))
    kops(lab, "update", "cluster", name, "--yes")
    # The emulator gives launched machines no public address: give the control plane one, as an Elastic IP would.
    ec2 = boto3.client("ec2", region_name="us-east-1")
    plane = next(i for i in json.loads(kops(lab, "get", "instances", name, "-o", "json").stdout)
                 if i["role"] == "control-plane")
    address = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=address["AllocationId"], InstanceId=plane["id"])
    dump = yaml.safe_load(kops(lab, "toolbox", "dump", name).stdout)
    assert dump == json.loads(kops(lab, "toolbox", "dump", name, "-o", "json").stdout)

    [vpc] = owned_vpcs(name)
    assert dump["vpc"] == {"id": vpc["VpcId"]}
    assert {"type": "VPC", "id": vpc["VpcId"]}.items() <= next(r for r in dump["resources"] if r["type"] == "VPC").items()
    assert {s["zone"] for s in dump["subnets"]} == {"us-east-1a", "us-east-1b"}
    assert all(s["id"].startswith("subnet-") for s in dump["subnets"])
    assert {"AutoscalingGroup", "LaunchTemplate", "SecurityGroup", "IAMRole"} <= {r["type"] for r in dump["resources"]}

    instances = {i["instanceGroup"]: i for i in dump["instances"]}
    assert sorted(instances) == ["control-plane-us-east-1a", "nodes-us-east-1a", "nodes-us-east-1b"]
    assert instances["control-plane-us-east-1a"]["roles"] == ["control-plane"]
    assert instances["nodes-us-east-1b"]["roles"] == ["node"]
    for instance in dump["instances"]:
        assert instance["name"].startswith("i-")
        assert [a for a in instance["privateAddresses"] if re.fullmatch(r"172\.20\.\d+\.\d+", a)]
    assert instances["control-plane-us-east-1a"]["publicAddresses"] == [address["PublicIp"]]
    assert "publicAddresses" not in instances["nodes-us-east-1a"]
    listed = {i["id"] for i in json.loads(kops(lab, "get", "instances", name, "-o", "json").stdout)}
    assert {i["name"] for i in dump["instances"]} == listed

    text = kops(lab, "toolbox", "dump", name).stdout
    for secret in ("PRIVATE KEY", "BEGIN", "#!/bin/bash", "nodeup", lab["env"]["AWS_SECRET_ACCESS_KEY"] + "\n",
                   "ssh-ed25519", "Statement"):
        assert secret not in text, secret
    ec2.disassociate_address(PublicIp=address["PublicIp"])
    ec2.release_address(AllocationId=address["AllocationId"])
    kops(lab, "delete", "cluster", name, "--yes")


def test_delete_f_deletes_the_cluster_a_manifest_names(lab, tmp_path):
    name = lab["name"]
    create(lab)
    kops(lab, "update", "cluster", name, "--yes")
    manifest = tmp_path / "cluster.yaml"
    manifest.write_text(kops(lab, "get", name, "-o", "yaml").stdout)

    listed = kops(lab, "delete", "-f", str(manifest))
    assert "VPC" in listed.stdout and "--yes" in listed.stdout
    assert len(owned_vpcs(name)) == 1
    deleted = kops(lab, "delete", "-f", str(manifest), "--yes")
    assert f"of cluster {name!r}" in deleted.stdout
    assert owned_anything(name) == []
    assert kops(lab, "get", "cluster", name, check=False).returncode == 1


def _ssh_key(lab) -> str:
    """An SSH public key file, so that the dump could leak it if it wrote resources' configuration."""
    import pathlib

    path = pathlib.Path(lab["env"]["HOME"]) / "id.pub"
    path.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxHHZtXaQsXz/ml1k2q5vQYqzCR5qF6pVbOdQvJQq7N me@host\n")
    return str(path)
