"""The node termination handler's queue URL names the AWS account, which no spec field holds: ``kops update
cluster --yes`` asks STS for it, and Terraform output fills it in from the ``aws_caller_identity`` data source
without any AWS call."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from cli_kit import create, kops

NTH_FOLDER = "addons/node-termination-handler.aws"


def queue_url(manifest: str) -> str:
    for doc in yaml.safe_load_all(manifest):
        if doc and doc["kind"] == "Deployment":
            env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
            return next(e["value"] for e in env if e["name"] == "QUEUE_URL")
    raise AssertionError("the handler's manifest has no Deployment")


def stored_manifest(store: Path, name: str) -> str:
    found = sorted((store / name / NTH_FOLDER).glob("*.yaml"))
    assert len(found) == 1, found
    return found[0].read_text()


def test_an_apply_writes_the_account_of_the_queue_it_created(lab, tmp_path):  # noqa: F811
    import boto3

    create(lab)
    kops(lab, "update", "cluster", lab["name"], "--yes")
    url = queue_url(stored_manifest(tmp_path / "state", lab["name"]))
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]
    queue = lab["name"].replace(".", "-") + "-nth"
    assert url == f"https://sqs.us-east-1.amazonaws.com/{account}/{queue}"
    created = boto3.client("sqs", region_name="us-east-1").get_queue_url(QueueName=queue)["QueueUrl"]
    assert created.endswith(f"/{account}/{queue}")
    # The account is asked for, not guessed: the re-plan agrees with what was stored.
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", lab["name"], "--yes")


def test_terraform_fills_in_the_account_of_the_manifest_it_writes(lab, s3_bucket, tmp_path):  # noqa: F811
    lab["env"]["KOPS_STATE_STORE"] = f"s3://{s3_bucket}"
    create(lab)
    out = tmp_path / "tf"
    kops(lab, "update", "cluster", lab["name"], "--target", "terraform", "--out", str(out), "--yes")
    tf = (out / "kubernetes.tf").read_text()
    assert 'data "aws_caller_identity" "current"' in tf
    resource = re.search(r'resource "aws_s3_object" "(\S*node-termination-handler\S*)" \{(.*?)\n\}', tf, re.S)
    assert resource, "no storage object for the handler's manifest"
    assert re.search(r"content\s*=\s*templatefile\(.*aws_account_id = data\.aws_caller_identity\.current\.account_id",
                     resource.group(2))
    data = next(p for p in (out / "data").iterdir() if "node-termination-handler" in p.name).read_text()
    assert "/${aws_account_id}/" + lab["name"].replace(".", "-") + "-nth" in queue_url(data)


def test_terraform_with_a_local_store_says_the_account_is_left_out(lab, tmp_path):  # noqa: F811
    create(lab)
    out = tmp_path / "tf"
    done = kops(lab, "update", "cluster", lab["name"], "--target", "terraform", "--out", str(out), "--yes",
                endpoint="http://127.0.0.1:9")  # nothing listens there: any API call would fail
    assert NTH_FOLDER in done.stderr and "kops update cluster --yes" in done.stderr
