"""`python -m kops.testing.testbed aws`: moto's server seeded for kops, its environment printed for a shell."""

from __future__ import annotations

import shlex
import subprocess
import sys

import boto3
from kops.testing.cli import KOPS


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kops.testing.testbed", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_the_aws_testbed_prints_its_environment_and_kops_runs_against_it(tmp_path):
    proc = _start("aws")
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
        assert env["KOPS_STATE_STORE"].startswith("s3://")
        assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        # The channel's images are there, as a fresh account sees them.
        ec2 = boto3.client("ec2", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        assert ec2.describe_images(Filters=[{"Name": "name", "Values": ["ubuntu/images/*"]}])["Images"]
        run_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}
        created = subprocess.run([KOPS, "create", "cluster", "tb.example.com", "--cloud", "aws", "--zones",
                                  "us-east-1a", "--dns", "none"], env=run_env, capture_output=True, text=True)
        assert created.returncode == 0, created.stderr
        listed = subprocess.run([KOPS, "get", "clusters"], env=run_env, capture_output=True, text=True)
        assert "tb.example.com" in listed.stdout
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_an_unknown_testbed_is_a_one_line_error():
    proc = _start("nosuchcloud")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.strip().splitlines() == [err.strip()]
    assert "no testbed is registered for 'nosuchcloud'" in err and "aws" in err
