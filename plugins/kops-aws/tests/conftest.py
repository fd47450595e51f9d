"""Fixtures for testing against AWS as emulated by moto's server, over HTTP.

``moto_server`` starts one server for the session; ``aws`` points boto3 (in this process and any child
process) at it for one test; ``s3_bucket`` creates a fresh bucket for one test.
"""

from __future__ import annotations

import os
import uuid

import pytest
from kops.testing.addons import *  # noqa: F403 - the shared add-on fixtures, for kops-aws' own add-ons
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures (kops.testing.cloud)
from kops.testing.cloud import CloudCase
from kops_aws.testing.moto_server import MotoServer


@pytest.fixture(scope="session")
def moto_server():
    with MotoServer() as server:
        yield server


@pytest.fixture
def aws(moto_server, monkeypatch):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in moto_server.environ().items():
        monkeypatch.setenv(name, value)
    return moto_server


@pytest.fixture
def s3_client(aws):
    import boto3

    return boto3.session.Session().client("s3", region_name=aws.region)


@pytest.fixture
def s3_bucket(s3_client):
    name = f"kops-state-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def lab(aws, tmp_path):
    """A fresh cluster name, a file:// state store and an image the emulator knows."""
    import boto3
    from kops_aws.testing import moto_gaps

    moto_gaps.fill()
    ec2 = boto3.client("ec2", region_name="us-east-1")
    image = ec2.register_image(Name=f"kops-test-{uuid.uuid4().hex[:8]}", RootDeviceName="/dev/sda1",
                               Architecture="x86_64")["ImageId"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPS_")}
    env.update(HOME=str(tmp_path), KOPS_STATE_STORE=f"file://{tmp_path}/state", AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1")
    return {"env": env, "image": image, "name": f"c{uuid.uuid4().hex[:8]}.example.com", "aws": aws}


@pytest.fixture
def addons_plugin() -> str:
    """The plugin whose add-on hooks the shared add-on fixtures call (:mod:`kops.testing.addons`)."""
    return "aws"


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """AWS for the shared lifecycle tests (:mod:`kops.testing.cloud`): a private HA cluster with a bastion on the
    emulator's testbed."""
    from cli_kit import owned_anything

    return CloudCase(cloud="aws", zones="us-east-1a,us-east-1b", testbed="aws", leftovers=lambda env, name:
                     owned_anything(name, env),
                     create_flags=("--control-plane-zones", "us-east-1a,us-east-1b,us-east-1c", "--topology",
                                   "private", "--bastion", "--networking", "calico"))
