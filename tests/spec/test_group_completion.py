"""Instance groups stored without ``image`` or ``machineType`` (``kops create -f``) get the release channel's image
and the cloud's default machine type when the cluster is updated, as upstream; the stored groups stay as written."""

from __future__ import annotations

import re

import yaml

NAME = "bare.example.com"


def test_update_fills_in_image_and_machine_type(kops, tmp_path):
    created = kops("create", "cluster", NAME, "--cloud", "aws", "--zones", "us-east-1a", "--networking", "cni",
                   "--dry-run", "-o", "yaml")
    assert created.code == 0, created.err
    docs = list(yaml.safe_load_all(created.out))
    image = next(d for d in docs if d["kind"] == "InstanceGroup")["spec"]["image"]  # the channel's, at create
    for doc in docs:
        if doc["kind"] == "InstanceGroup":
            doc["spec"].pop("image")
            doc["spec"].pop("machineType")
            if doc["spec"]["role"] == "Node":
                doc["spec"]["machineType"] = "m5.large"  # what the user wrote stays
    manifest = tmp_path / "bare.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))
    assert kops("create", "-f", str(manifest)).code == 0

    r = kops("update", "cluster", NAME, "--target", "terraform", "--out", str(tmp_path / "tf"), "--yes")
    assert r.code == 0, r.err
    tf = (tmp_path / "tf" / "kubernetes.tf").read_text()
    types = dict(re.findall(r'resource "aws_launch_template" "([^"]+)" \{.*?instance_type\s*=\s*"([^"]+)"', tf,
                            re.S))
    assert types == {"control-plane-us-east-1a-masters-bare-example-com": "t3.medium",
                     "nodes-us-east-1a-bare-example-com": "m5.large"}
    owner, ami_name = image.split("/", 1)
    lookups = re.findall(r'data "aws_ami" "([^"]+)" \{.*?values = \["([^"]+)"\].*?owners\s*=\s*\["([^"]+)"\]', tf, re.S)
    assert [(found, found_owner) for _, found, found_owner in lookups] == [(ami_name, owner)]
    assert tf.count(f"image_id      = data.aws_ami.{lookups[0][0]}.id") == 2
    stored = [yaml.safe_load(d) for d in kops("get", "ig", "--name", NAME, "-o", "yaml").out.split("---\n")]
    assert all("image" not in g["spec"] for g in stored)
    assert sorted(g["spec"].get("machineType", "") for g in stored) == ["", "m5.large"]
