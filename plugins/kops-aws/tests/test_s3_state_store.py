"""The s3:// state store against moto's S3 server: the shared behaviour suite plus what only S3 promises."""

from __future__ import annotations

import subprocess
import sys
import threading
from importlib import metadata

import boto3
import pytest
from botocore.exceptions import ClientError
from kops.errors import KopsError
from kops.state import open_store
from kops.state.conformance import *  # noqa: F403
from kops_aws.s3store import S3StateStore


@pytest.fixture
def store_url(s3_bucket):
    return f"s3://{s3_bucket}/clusters"


def test_s3_scheme_comes_from_the_kops_aws_entry_point(store_url):
    (entry,) = [ep for ep in metadata.entry_points(group="kops.state_store") if ep.name == "s3"]
    assert entry.dist.name == "kops-aws"
    assert isinstance(open_store(store_url), S3StateStore)


def test_objects_sit_at_upstream_keys_under_the_prefix(store_url, s3_bucket, s3_client):
    store = open_store(store_url)
    store.write("ha.example.com/config", b"kind: Cluster\n")
    store.write("ha.example.com/instancegroup/nodes", b"kind: InstanceGroup\n")
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == ["clusters/ha.example.com/config", "clusters/ha.example.com/instancegroup/nodes"]
    body = s3_client.get_object(Bucket=s3_bucket, Key="clusters/ha.example.com/config")["Body"].read()
    assert body == b"kind: Cluster\n"


def test_a_store_at_the_bucket_root(s3_bucket, s3_client):
    store = open_store(f"s3://{s3_bucket}")
    store.write("c/config", b"x")
    assert s3_client.get_object(Bucket=s3_bucket, Key="c/config")["Body"].read() == b"x"
    assert store.list() == ["c/config"]


def test_generation_is_the_etag(store_url, s3_bucket, s3_client):
    gen = open_store(store_url).write("c/config", b"x")
    assert s3_client.head_object(Bucket=s3_bucket, Key="clusters/c/config")["ETag"] == gen


def test_private_objects_are_encrypted_and_not_public(store_url, s3_bucket, s3_client):
    store = open_store(store_url)
    store.write("c/pki/private/ca/keyset.yaml", b"key", private=True)
    store.commit({"c/secrets/admin": b"token"}, private={"c/secrets/admin"})
    store.write("c/config", b"cluster")
    for key in ("clusters/c/pki/private/ca/keyset.yaml", "clusters/c/secrets/admin"):
        assert s3_client.head_object(Bucket=s3_bucket, Key=key).get("ServerSideEncryption") == "AES256"
        grants = s3_client.get_object_acl(Bucket=s3_bucket, Key=key)["Grants"]
        assert not [g for g in grants if "URI" in g["Grantee"]]  # no AllUsers / AuthenticatedUsers grant
    assert "ServerSideEncryption" not in s3_client.head_object(Bucket=s3_bucket, Key="clusters/c/config")


def test_missing_bucket_is_one_line_naming_it(aws):
    store = open_store("s3://no-such-kops-bucket/x")
    for attempt in (lambda: store.read("c/config"), lambda: store.write("c/config", b"x"), store.list):
        with pytest.raises(KopsError, match="S3 bucket 'no-such-kops-bucket' does not exist") as info:
            attempt()
        assert "\n" not in str(info.value)


def test_access_denied_is_one_line_naming_the_bucket():
    store = S3StateStore("s3://locked-bucket/x")
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"},
                          "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetObject")
    with pytest.raises(KopsError, match=r"^state store s3://locked-bucket/x: access denied to S3 bucket "
                                        r"'locked-bucket' \(AccessDenied\)"):
        store._translate(denied, "c/config", "read", None)


@pytest.mark.parametrize("url", ["s3://", "s3://UPPER", "s3://ab", "s3://bucket?x=1", "s3://bad..dots"])
def test_bad_s3_urls_name_the_url(url):
    with pytest.raises(KopsError, match="invalid state store URL") as info:
        open_store(url)
    assert url in str(info.value)


def test_region_defaults_and_follows_the_environment(monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert S3StateStore("s3://some-bucket").client.meta.region_name == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert S3StateStore("s3://some-bucket").client.meta.region_name == "eu-west-1"
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    assert S3StateStore("s3://some-bucket").client.meta.region_name == "ap-south-1"


def test_importing_the_store_does_not_import_boto3():
    code = "import sys, kops_aws.s3store; from kops.state import open_store; open_store('s3://a-bucket'); " \
           "print('boto3' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def _creators_of(bucket, key, clients):
    """How many of ``clients``, racing, manage to create ``key`` with If-None-Match: * (S3 says: exactly one)."""
    winners = []
    gate = threading.Barrier(len(clients))

    def create(client):
        gate.wait()
        try:
            client.put_object(Bucket=bucket, Key=key, Body=b"x", IfNoneMatch="*")
            winners.append(client)
        except ClientError:
            pass

    threads = [threading.Thread(target=create, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(winners)


def test_the_test_server_makes_conditional_creates_atomic_like_s3(s3_bucket):
    clients = [boto3.session.Session().client("s3") for _ in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads (the server's too) as often as possible, to provoke the race
    try:
        creators = [_creators_of(s3_bucket, f"k{i}", clients) for i in range(60)]
    finally:
        sys.setswitchinterval(interval)
    assert creators == [1] * 60
