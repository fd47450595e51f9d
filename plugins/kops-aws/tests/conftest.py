"""Fixtures for testing against AWS as emulated by moto's server, over HTTP.

``moto_server`` starts one server for the session; ``aws`` points boto3 (in this process and any child
process) at it for one test; ``s3_bucket`` creates a fresh bucket for one test.
"""

from __future__ import annotations

import uuid

import pytest
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
