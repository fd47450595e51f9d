"""The DigitalOcean testbed: `python -m kops.testing.testbed digitalocean` prints the environment of the fake
API and the Spaces stand-in, and both answer there; in a test, ``environment("digitalocean")`` gives it."""

from __future__ import annotations

import shlex
import subprocess
import sys
from typing import Any

import boto3
import botocore.exceptions
import digitalocean
import pytest
from botocore.config import Config
from kops.testing.testbed import environment

_VARIABLES = {"DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_END_POINT", "S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID",
              "S3_SECRET_ACCESS_KEY", "KOPS_STATE_STORE"}


def _spaces(env: dict[str, str]) -> Any:
    """A boto3 client configured from upstream kOps's Spaces variables alone."""
    return boto3.client("s3", endpoint_url=env["S3_ENDPOINT"], region_name=env["S3_REGION"],
                        aws_access_key_id=env["S3_ACCESS_KEY_ID"], aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
                        config=Config(s3={"addressing_style": "path"}))


def test_the_testbed_prints_its_environment_and_both_stand_ins_answer(monkeypatch):
    proc = subprocess.Popen([sys.executable, "-m", "kops.testing.testbed", "digitalocean"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        env: dict[str, str] = {}
        for line in proc.stdout:
            if line.strip() == "ready":
                break
            assert line.startswith("export "), line
            name, _, value = line[len("export "):].rstrip("\n").partition("=")
            env[name] = shlex.split(value)[0]
        else:
            raise AssertionError(f"no 'ready' line: {proc.stderr.read()}")
        assert set(env) == _VARIABLES
        assert env["DIGITALOCEAN_END_POINT"].startswith("http://127.0.0.1:")
        assert env["DIGITALOCEAN_END_POINT"].endswith("/v2/")
        assert env["KOPS_STATE_STORE"].startswith("do://")
        # The variables, not the Manager's arguments: the objects it makes (get_account, ...) read them again.
        monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", env["DIGITALOCEAN_ACCESS_TOKEN"])
        monkeypatch.setenv("DIGITALOCEAN_END_POINT", env["DIGITALOCEAN_END_POINT"])
        assert digitalocean.Manager().get_account().status == "active"
        bucket = env["KOPS_STATE_STORE"][len("do://"):]
        spaces = _spaces(env)
        spaces.put_object(Bucket=bucket, Key="dev.example.com/config", Body=b"kind: Cluster\n")
        assert spaces.get_object(Bucket=bucket, Key="dev.example.com/config")["Body"].read() == b"kind: Cluster\n"
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_a_test_gets_the_testbed_in_process_and_spaces_refuses_a_second_create(monkeypatch):
    env = environment("digitalocean")
    bucket = env["KOPS_STATE_STORE"][len("do://"):]
    spaces = _spaces(env)
    spaces.put_object(Bucket=bucket, Key="lease", Body=b"one", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        spaces.put_object(Bucket=bucket, Key="lease", Body=b"two", IfNoneMatch="*")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", env["DIGITALOCEAN_ACCESS_TOKEN"])
    monkeypatch.setenv("DIGITALOCEAN_END_POINT", env["DIGITALOCEAN_END_POINT"])
    assert "nyc1" in {r.slug for r in digitalocean.Manager().get_all_regions()}
