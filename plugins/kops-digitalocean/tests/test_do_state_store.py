"""The do:// state store against the DigitalOcean testbed's Spaces stand-in (moto's S3): the shared state store
suite, what Spaces does differently from S3, the command line with a do:// store, and the errors a user meets
(variables missing, keys refused, a bucket or endpoint that is not there)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from kops.errors import KopsError
from kops.state import open_store
from kops.state.conformance import *  # noqa: F403
from kops.testing.testbed import environment
from kops_aws.s3store import S3StateStore
from kops_digitalocean.spaces_store import SpacesStateStore

KOPS = str(Path(sys.executable).with_name("kops"))
SPACES_VARIABLES = ("S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
#: A closed loopback port: anything sent to AWS's variables would fail here, never reach a real account.
CLOSED = "http://127.0.0.1:9"


@pytest.fixture
def spaces(monkeypatch) -> dict[str, str]:
    """The testbed's Spaces variables in this process (and any child), with AWS's own variables, profiles and
    files out of reach, so nothing here can use a developer's AWS account."""
    env = environment("digitalocean")
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("KOPS_STATE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    for name in SPACES_VARIABLES:
        monkeypatch.setenv(name, env[name])
    return env


@pytest.fixture
def spaces_client(spaces):
    """A plain S3 client for the stand-in, configured the way Spaces documents it."""
    return boto3.client("s3", endpoint_url=spaces["S3_ENDPOINT"], region_name=spaces["S3_REGION"],
                        aws_access_key_id=spaces["S3_ACCESS_KEY_ID"],
                        aws_secret_access_key=spaces["S3_SECRET_ACCESS_KEY"],
                        config=Config(s3={"addressing_style": "path"}))


@pytest.fixture
def bucket(spaces_client) -> str:
    name = f"kops-do-{uuid.uuid4().hex[:12]}"
    spaces_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def store_url(bucket) -> str:
    return f"do://{bucket}/clusters"


# --- the store ---------------------------------------------------------------------------------------------

def test_do_scheme_comes_from_the_kops_digitalocean_entry_point(store_url):
    (entry,) = [ep for ep in metadata.entry_points(group="kops.state_store") if ep.name == "do"]
    assert entry.dist.name == "kops-digitalocean"
    store = open_store(store_url)
    assert isinstance(store, SpacesStateStore) and isinstance(store, S3StateStore)
    assert store.url == store_url


def test_the_testbeds_own_state_store_works(spaces, spaces_client):
    bucket = spaces["KOPS_STATE_STORE"].removeprefix("do://")
    try:
        spaces_client.head_bucket(Bucket=bucket)
    except ClientError:  # moto keeps one state per process, which another plugin's tests here may have reset
        spaces_client.create_bucket(Bucket=bucket)
    store = open_store(spaces["KOPS_STATE_STORE"])
    path = f"c{uuid.uuid4().hex[:8]}.example.com/config"
    store.write(path, b"kind: Cluster\n")
    assert store.read(path).data == b"kind: Cluster\n"
    assert path in store.list()


def test_objects_sit_at_upstream_keys_under_the_prefix(store_url, bucket, spaces_client):
    store = open_store(store_url)
    store.write("dev.example.com/config", b"kind: Cluster\n")
    store.write("dev.example.com/instancegroup/nodes", b"kind: InstanceGroup\n")
    keys = [o["Key"] for o in spaces_client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["clusters/dev.example.com/config", "clusters/dev.example.com/instancegroup/nodes"]
    assert spaces_client.get_object(Bucket=bucket, Key="clusters/dev.example.com/config")["Body"].read() == \
        b"kind: Cluster\n"


def test_a_store_at_the_bucket_root(bucket, spaces_client):
    store = open_store(f"do://{bucket}")
    store.write("c/config", b"x")
    assert spaces_client.get_object(Bucket=bucket, Key="c/config")["Body"].read() == b"x"
    assert store.list() == ["c/config"]


def test_secrets_are_private_and_sent_without_the_sse_s3_header(store_url, bucket, spaces_client):
    store = open_store(store_url)
    store.write("c/pki/private/ca/keyset.yaml", b"key", private=True)
    store.commit({"c/secrets/admin": b"token"}, private={"c/secrets/admin"})
    for key in ("clusters/c/pki/private/ca/keyset.yaml", "clusters/c/secrets/admin"):
        assert "ServerSideEncryption" not in spaces_client.head_object(Bucket=bucket, Key=key)
        grants = spaces_client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
        assert not [g for g in grants if "URI" in g["Grantee"]]  # no AllUsers / AuthenticatedUsers grant
    assert store.read("c/secrets/admin").data == b"token"


def test_a_bare_endpoint_host_means_https_path_style_and_s3_region(spaces, monkeypatch):
    monkeypatch.setenv("S3_ENDPOINT", "nyc3.digitaloceanspaces.com")
    monkeypatch.delenv("S3_REGION")
    client = SpacesStateStore("do://some-space").client
    assert client.meta.endpoint_url == "https://nyc3.digitaloceanspaces.com"
    assert client.meta.region_name == "us-east-1"
    assert client.meta.config.s3["addressing_style"] == "path"
    monkeypatch.setenv("S3_REGION", "ams3")
    monkeypatch.setenv("S3_ENDPOINT", "https://ams3.digitaloceanspaces.com/")
    client = SpacesStateStore("do://some-space").client
    assert (client.meta.endpoint_url, client.meta.region_name) == ("https://ams3.digitaloceanspaces.com/", "ams3")


def test_aws_variables_profiles_and_files_play_no_part(store_url, bucket, spaces_client, spaces, monkeypatch,
                                                     tmp_path):
    """With every AWS variable pointing somewhere wrong, the store still reads and writes Spaces."""
    # The stand-in runs in this process and sets parts of itself up on first use (an object written, one missing),
    # under the environment of that moment: use them first, so the wrong variables below reach only the store.
    spaces_client.put_object(Bucket=bucket, Key="ready", Body=b"")
    with pytest.raises(spaces_client.exceptions.NoSuchKey):
        spaces_client.get_object(Bucket=bucket, Key="missing")
    config = tmp_path / "config"
    config.write_text("[default]\nendpoint_url = http://127.0.0.1:9\ns3 =\n  addressing_style = virtual\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ENDPOINT_URL", CLOSED)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAWSKEYNOTFORSPACES")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    store = open_store(store_url)
    store.write("c/config", b"x")
    assert store.read("c/config").data == b"x"
    assert store.client.meta.region_name == spaces["S3_REGION"]


def test_importing_and_opening_the_store_does_not_import_boto3():
    code = ("import sys, kops_digitalocean.spaces_store; from kops.state import open_store; "
            "open_store('do://a-space'); print('boto3' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


# --- errors ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["do://", "do://UPPER", "do://ab", "do://space?x=1", "do://bad..dots"])
def test_bad_do_urls_name_the_url(url):
    with pytest.raises(KopsError, match="invalid state store URL") as info:
        open_store(url)
    assert url in str(info.value)


@pytest.mark.parametrize("missing", [
    ("S3_ENDPOINT",), ("S3_ACCESS_KEY_ID",), ("S3_SECRET_ACCESS_KEY",), ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"),
    ("S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"),
])
def test_missing_variables_are_named_with_how_to_set_them(store_url, monkeypatch, missing):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAWSKEYNOTFORSPACES")  # present, and never a fallback
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    for name in missing:
        monkeypatch.setenv(name, "")
    with pytest.raises(KopsError) as info:
        open_store(store_url).read("c/config")
    message = str(info.value)
    assert message.startswith(f"state store {store_url}: {' and '.join(missing)} ")
    assert "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY" in message
    assert ("set S3_ENDPOINT to" in message) == ("S3_ENDPOINT" in missing)
    assert "\n" not in message


@pytest.mark.parametrize("endpoint", ["ftp://nyc3.digitaloceanspaces.com", "nyc3 digitaloceanspaces.com",
                                      "https://", "http://127.0.0.1:port"])
def test_an_endpoint_that_is_not_one_names_s3_endpoint(store_url, monkeypatch, endpoint):
    monkeypatch.setenv("S3_ENDPOINT", endpoint)
    with pytest.raises(KopsError, match=f"^state store {store_url}: S3_ENDPOINT='.*' is not an endpoint: set "
                                        "S3_ENDPOINT to"):
        open_store(store_url).list()


def test_a_missing_bucket_is_one_line_naming_it(spaces):
    store = open_store("do://no-such-kops-space/x")
    for attempt in (lambda: store.read("c/config"), lambda: store.write("c/config", b"x"), store.list):
        with pytest.raises(KopsError, match="^state store do://no-such-kops-space/x: Spaces bucket "
                                            "'no-such-kops-space' does not exist") as info:
            attempt()
        assert "\n" not in str(info.value)


def test_an_unreachable_endpoint_names_it_and_s3_endpoint(store_url, monkeypatch):
    monkeypatch.setenv("S3_ENDPOINT", CLOSED)
    with pytest.raises(KopsError, match=f"^state store {store_url}: .*cannot reach the Spaces endpoint "
                                        f"'{CLOSED}'.*check S3_ENDPOINT$"):
        open_store(store_url).read("c/config")


class RefusingSpaces:
    """A loopback endpoint that answers every request as Spaces answers a key it refuses (403 with an S3 error
    document), and keeps the Authorization headers it was sent."""

    def __init__(self, code: str):
        self.code = code
        self.authorizations: list[str] = []
        refusing = self

        class Handler(BaseHTTPRequestHandler):
            def _refuse(self) -> None:
                refusing.authorizations.append(self.headers.get("Authorization", ""))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{refusing.code}</Code>'
                        "<RequestId>tx0000000000000000000-0000000000-0000000-nyc3c</RequestId>"
                        "<HostId>0000000-nyc3c-nyc3-zg03</HostId></Error>").encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _refuse

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> RefusingSpaces:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.mark.parametrize("code", ["InvalidAccessKeyId", "SignatureDoesNotMatch"])
def test_refused_keys_say_to_set_the_spaces_key_variables(spaces, monkeypatch, code):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAWSKEYNOTFORSPACES")
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "DO00WRONGKEY")
    with RefusingSpaces(code) as refusing:
        monkeypatch.setenv("S3_ENDPOINT", refusing.endpoint_url)
        store = open_store("do://locked-space/x")
        for attempt in (lambda: store.read("c/config"), lambda: store.write("c/config", b"x"), store.list):
            with pytest.raises(KopsError) as info:
                attempt()
            assert str(info.value) == (f"state store do://locked-space/x: Spaces refused the access key ({code}): "
                                       "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY to a Spaces access key")
    assert refusing.authorizations
    assert all("Credential=DO00WRONGKEY/" in auth for auth in refusing.authorizations)


def test_access_denied_to_a_bucket_names_the_key_variables(spaces, monkeypatch):
    with RefusingSpaces("AccessDenied") as refusing:
        monkeypatch.setenv("S3_ENDPOINT", refusing.endpoint_url)
        with pytest.raises(KopsError) as info:
            open_store("do://locked-space").list()
    assert str(info.value) == ("state store do://locked-space: access denied to Spaces bucket 'locked-space' "
                               "(AccessDenied); check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, and that the key "
                               "may use this bucket")


# --- the command line --------------------------------------------------------------------------------------

def kops(*args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run ``kops`` with this process's environment (the Spaces variables) and ``env`` on top; "" unsets."""
    merged = {**os.environ, **env}
    p = subprocess.run([KOPS, *args], env={k: v for k, v in merged.items() if v != ""}, capture_output=True,
                       text=True, timeout=300)
    if check:
        assert p.returncode == 0, f"kops {' '.join(args)}: {p.stderr}"
    return p


@pytest.fixture
def cli(spaces, store_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KOPS_STATE_STORE", store_url)
    return store_url


def test_a_cluster_spec_is_created_listed_edited_and_read_back_from_spaces(cli, bucket, spaces_client):
    created = kops("create", "cluster", "dev.example.com", "--cloud", "aws", "--zones", "us-east-1a",
                   "--networking", "cni")
    assert f"created in {cli}" in created.stdout
    listed = kops("get", "clusters")
    assert listed.stdout.split("\n")[1].split() == ["dev.example.com", "aws", "us-east-1a"]
    spec = kops("get", "cluster", "dev.example.com", "-o", "yaml").stdout
    assert f"configBase: {cli}/dev.example.com\n" in spec
    keys = {o["Key"] for o in spaces_client.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {"clusters/dev.example.com/config", "clusters/dev.example.com/instancegroup/nodes-us-east-1a",
            "clusters/dev.example.com/instancegroup/control-plane-us-east-1a"} <= keys
    kops("edit", "ig", "--name", "dev.example.com", "nodes-us-east-1a", "--set", "spec.maxSize=3")
    group = spaces_client.get_object(Bucket=bucket, Key="clusters/dev.example.com/instancegroup/nodes-us-east-1a")
    assert "maxSize: 3\n" in group["Body"].read().decode()


def test_the_command_line_names_missing_variables(cli):
    failed = kops("get", "clusters", check=False, S3_ENDPOINT="", S3_SECRET_ACCESS_KEY="")
    assert failed.returncode == 1
    assert failed.stderr == (f"Error: state store {cli}: S3_ENDPOINT and S3_SECRET_ACCESS_KEY are not set: set "
                             "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY to a Spaces access key, and set S3_ENDPOINT "
                             "to the bucket's region endpoint, such as nyc3.digitaloceanspaces.com\n")


def test_the_command_line_names_a_missing_bucket_and_stores_nothing(cli):
    failed = kops("create", "cluster", "dev.example.com", "--cloud", "aws", "--zones", "us-east-1a", "--networking",
                  "cni", check=False, KOPS_STATE_STORE="do://no-such-kops-space")
    assert failed.returncode == 1
    assert failed.stderr == ("Error: state store do://no-such-kops-space: Spaces bucket 'no-such-kops-space' does "
                             "not exist; create it or fix the state store URL\n")


def test_the_command_line_names_refused_keys(cli):
    with RefusingSpaces("InvalidAccessKeyId") as refusing:
        failed = kops("get", "clusters", check=False, S3_ENDPOINT=refusing.endpoint_url)
    assert failed.returncode == 1
    assert failed.stderr == (f"Error: state store {cli}: Spaces refused the access key (InvalidAccessKeyId): set "
                             "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY to a Spaces access key\n")
