"""The gs:// state store against fake-gcs-server: the shared behaviour suite, what only GCS promises, its errors
as a user reads them, and the kops command line on a gs:// store."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from google.api_core.exceptions import PreconditionFailed
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from kops.errors import KopsError
from kops.state import ConflictError, open_store
from kops.state.conformance import *  # noqa: F403
from kops.testing import cli
from kops.testing.cli import one_line_error
from kops.testing.testbed import environment
from kops_gce import gcsstore
from kops_gce.gcsstore import GCSStateStore

PROJECT = "kops-store-tests"


@pytest.fixture
def gcs(gcs_server, monkeypatch):
    """fake-gcs-server, with the environment google-cloud-storage finds it by."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server.url)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    return gcs_server


@pytest.fixture
def gcs_bucket(gcs):
    name = f"kops-state-{uuid.uuid4().hex[:12]}"
    gcs.create_bucket(name, PROJECT)
    return name


@pytest.fixture
def bucket(gcs_bucket):
    """The bucket as google-cloud-storage sees it, to look behind the store."""
    return storage.Client().bucket(gcs_bucket)


@pytest.fixture
def store_url(gcs_bucket):
    return f"gs://{gcs_bucket}/clusters"


# --- what only GCS promises ------------------------------------------------------------------------------

def test_gs_scheme_comes_from_the_kops_gce_entry_point(store_url):
    (entry,) = [ep for ep in metadata.entry_points(group="kops.state_store") if ep.name == "gs"]
    assert entry.dist.name == "kops-gce"
    assert isinstance(open_store(store_url), GCSStateStore)


def test_objects_sit_at_upstream_keys_under_the_prefix(store_url, bucket):
    store = open_store(store_url)
    store.write("ha.example.com/config", b"kind: Cluster\n")
    store.write("ha.example.com/instancegroup/nodes", b"kind: InstanceGroup\n")
    assert [b.name for b in bucket.client.list_blobs(bucket)] == [
        "clusters/ha.example.com/config", "clusters/ha.example.com/instancegroup/nodes"]
    assert bucket.blob("clusters/ha.example.com/config").download_as_bytes() == b"kind: Cluster\n"


def test_a_store_at_the_bucket_root(gcs_bucket, bucket):
    store = open_store(f"gs://{gcs_bucket}/")
    assert store.url == f"gs://{gcs_bucket}"
    store.write("c/config", b"x")
    assert bucket.blob("c/config").download_as_bytes() == b"x"
    assert store.list() == ["c/config"]


def test_generation_is_the_objects_generation_and_changes_with_identical_bytes(store_url, bucket):
    store = open_store(store_url)
    first = store.write("c/config", b"same")
    assert bucket.get_blob("clusters/c/config").generation == int(first)
    assert store.write("c/config", b"same") == first  # kops writes nothing that holds its bytes already
    bucket.blob("clusters/c/config").upload_from_string(b"same")  # another writer: a new generation
    second = store.read("c/config").generation
    assert second != first
    with pytest.raises(ConflictError, match="rewritten"):
        store.write("c/config", b"other", expect=first)
    assert store.read("c/config").generation == second


def test_secret_material_is_never_made_public(store_url, bucket):
    # GCS encrypts every object at rest; kops sends no ACL, so a secret is exactly as private as the bucket.
    store = open_store(store_url)
    store.write("c/pki/private/ca/keyset.yaml", b"key", private=True)
    store.commit({"c/secrets/admin": b"token"}, private={"c/secrets/admin"})
    for name in ("clusters/c/pki/private/ca/keyset.yaml", "clusters/c/secrets/admin"):
        blob = bucket.blob(name)
        blob.acl.reload()
        assert not {entry["entity"] for entry in blob.acl} & {"allUsers", "allAuthenticatedUsers"}
    assert bucket.blob("clusters/c/secrets/admin").download_as_bytes() == b"token"
    # The stand-in would show a public object as such.
    public = bucket.blob("public")
    public.upload_from_string(b"x", predefined_acl="publicRead")
    public.acl.reload()
    assert "allUsers" in {entry["entity"] for entry in public.acl}


def test_content_digests_come_from_one_listing(store_url):
    store = open_store(store_url)
    objects = {"c/config": b"cluster", "c/instancegroup/nodes": b"group", "c/pki/ca": b"\x00\xff" * 1000}
    for path, data in objects.items():
        store.write(path, data)
    store.write("c/config", b"cluster v2")  # leaves a kept version, which is not listed
    objects["c/config"] = b"cluster v2"
    read: list[str] = []
    real_get = store._get
    store._get = lambda key: read.append(key) or real_get(key)
    digests = store.content_digests("c/")
    assert digests == {path: hashlib.md5(data).hexdigest() for path, data in objects.items()}
    assert [key for key in read if not key.startswith(".kops/")] == []


def test_large_objects_keep_their_conditions(store_url):
    # Over 8 MiB, google-cloud-storage uploads in several requests (a resumable upload).
    store = open_store(store_url)
    big = os.urandom(9 * 1024 * 1024)
    gen = store.write("c/addons/big", big, expect=None)
    with pytest.raises(ConflictError, match="now exists"):
        store.write("c/addons/big", big[::-1], expect=None)
    assert store.read("c/addons/big").data == big
    store.write("c/addons/big", big[::-1], expect=gen)
    with pytest.raises(ConflictError, match="rewritten"):
        store.write("c/addons/big", big, expect=gen)
    assert store.read("c/addons/big").data == big[::-1]


def test_the_stand_in_enforces_generation_preconditions_as_gcs_does(bucket):
    """What the store relies on, asked of fake-gcs-server (behind its front) with google-cloud-storage alone."""
    blob = bucket.blob("o")
    blob.upload_from_string(b"first", if_generation_match=0)
    first = blob.generation
    with pytest.raises(PreconditionFailed):
        bucket.blob("o").upload_from_string(b"again", if_generation_match=0)
    bucket.blob("o").upload_from_string(b"second", if_generation_match=first)
    with pytest.raises(PreconditionFailed):
        bucket.blob("o").upload_from_string(b"lost", if_generation_match=first)
    with pytest.raises(PreconditionFailed):
        bucket.blob("o").delete(if_generation_match=first)
    assert bucket.blob("o").download_as_bytes() == b"second"
    bucket.blob("o").delete(if_generation_match=bucket.get_blob("o").generation)
    assert bucket.get_blob("o") is None
    big = bucket.blob("big")
    big.upload_from_string(b"x" * (9 * 1024 * 1024), if_generation_match=0)
    with pytest.raises(PreconditionFailed):
        bucket.blob("big").upload_from_string(b"y" * (9 * 1024 * 1024), if_generation_match=0)


# --- errors ------------------------------------------------------------------------------------------------

def test_missing_bucket_is_one_line_naming_it(gcs):
    store = open_store("gs://no-such-kops-bucket/x")
    for attempt in (lambda: store.read("c/config"), lambda: store.write("c/config", b"x"), store.list,
                    lambda: store.delete("c/secrets/admin"), lambda: store.delete_tree("c")):
        with pytest.raises(KopsError, match=r"^state store gs://no-such-kops-bucket/x: GCS bucket "
                                            r"'no-such-kops-bucket' does not exist; create it") as info:
            attempt()
        assert "\n" not in str(info.value)


def test_a_missing_object_is_not_a_missing_bucket(store_url):
    store = open_store(store_url)
    assert store.read("c/config") is None
    store.delete("c/config")
    with pytest.raises(ConflictError, match="no longer exists"):
        store.delete("c/config", expect="1234")


class _Google(BaseHTTPRequestHandler):
    """Google on loopback, refusing: ``/token`` answers ``token`` (status, document), every other request
    ``storage`` (status, document), as Cloud Storage answers a refused request."""

    token: tuple[int, dict] = (200, {"access_token": "ya29.test", "expires_in": 3600, "token_type": "Bearer"})
    storage: tuple[int, dict] = (500, {})

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, document = self.token if self.path == "/token" else self.storage
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


@contextmanager
def google(tmp_path: Path, **answers: tuple[int, dict]) -> Iterator[dict[str, str]]:
    """Google on loopback (see :class:`_Google`) and the environment that sends a service account's requests there,
    token requests included: nothing leaves the machine."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Google,), answers))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    key = tmp_path / f"sa-{uuid.uuid4().hex[:8]}.json"
    key.write_text(json.dumps({"type": "service_account", "project_id": PROJECT, "private_key_id": "1",
                               "private_key": pem, "client_email": f"ci@{PROJECT}.iam.gserviceaccount.com",
                               "client_id": "1", "token_uri": f"{url}/token"}))
    try:
        yield {"GOOGLE_APPLICATION_CREDENTIALS": str(key), "API_ENDPOINT_OVERRIDE": url}
    finally:
        server.shutdown()
        server.server_close()


def _gcs_error(code: int, reason: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "errors": [
        {"message": message, "domain": "global", "reason": reason}]}}


@pytest.mark.parametrize(("answer", "expected"), [
    ((403, _gcs_error(403, "forbidden", "ci@p.iam.gserviceaccount.com does not have storage.objects.get access to "
                                        "the Google Cloud Storage object.")),
     r"access denied to GCS bucket 'locked-bucket' \(ci@p\.iam\.gserviceaccount\.com does not have "
     r"storage\.objects\.get access to the Google Cloud Storage object\.\); check the account's roles"),
    ((401, _gcs_error(401, "authError", "Invalid Credentials")),
     r"Cloud Storage refused the credentials \(Invalid Credentials\); run 'gcloud auth application-default login'"),
    ((503, _gcs_error(503, "backendError", "Backend Error")),
     r"cannot read \.kops/journal in GCS bucket 'locked-bucket': still failing after 1s: 503 Backend Error$"),
])
def test_refusals_are_one_line_naming_the_store(monkeypatch, tmp_path, answer, expected):
    monkeypatch.setattr(gcsstore, "RETRY_SECONDS", 1.0)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    with google(tmp_path, storage=answer) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        store = open_store("gs://locked-bucket/x")
        for attempt in (lambda: store.read("c/config"), store.list, lambda: store.write("c/config", b"x")):
            with pytest.raises(KopsError, match=r"^state store gs://locked-bucket/x: ") as info:
                attempt()
            assert "\n" not in str(info.value)
        with pytest.raises(KopsError, match=expected):
            store.read("c/config")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_endpoint_is_named_at_once_and_given_up_on(monkeypatch, caplog):
    monkeypatch.setattr(gcsstore, "RETRY_SECONDS", 1.5)
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
    store = open_store("gs://kops-state/x")
    with caplog.at_level(logging.WARNING, logger="kops_gce"):
        with pytest.raises(KopsError, match=rf"^state store gs://kops-state/x: cannot reach Cloud Storage at "
                                            rf"{endpoint} \(for 2s\): .*; check the endpoint") as info:
            store.write("c/config", b"x")
    assert "\n" not in str(info.value)
    warnings = [r.getMessage() for r in caplog.records if r.name == "kops_gce.gcsstore"]
    assert len(warnings) == 1 and f"cannot reach Cloud Storage at {endpoint}" in warnings[0]


@pytest.mark.parametrize("url", ["gs://", "gs://UPPER", "gs://ab", "gs://bucket?x=1", "gs://bad..dots",
                                 "gs://-dash", "gs://" + "a" * 64, "gs://" + ".".join(["a" * 64, "b"])])
def test_bad_gs_urls_name_the_url(url):
    with pytest.raises(KopsError, match="invalid state store URL") as info:
        open_store(url)
    assert url in str(info.value)


def test_long_bucket_names_with_dots_are_valid():
    assert GCSStateStore("gs://" + ".".join(["a" * 63] * 3)).bucket.count(".") == 2


def test_importing_the_store_and_kops_help_import_no_google_library():
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: sys.stderr.write('\\nloaded: ' + ' '.join(sys.modules)))\n"
             "from kops.state import open_store\n"
             "open_store('gs://a-bucket/x')\n"
             "sys.argv = ['kops', '--help']\n"
             "from kops.cli.main import main\n"
             "main()\n")
    started = subprocess.run([sys.executable, "-c", probe], env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    loaded = set(started.stderr.rpartition("loaded: ")[2].split())
    assert "kops_gce.gcsstore" in loaded
    assert not {name for name in loaded if name.startswith(("google.cloud", "google.auth"))}


# --- the command line on a gs:// store ---------------------------------------------------------------------

@pytest.fixture
def user(tmp_path):
    """A fresh machine with no Google credentials: an empty HOME and gcloud configuration, no metadata server."""
    env = cli.isolated_env(tmp_path)
    (tmp_path / "gcloud").mkdir()
    env.update(CLOUDSDK_CONFIG=str(tmp_path / "gcloud"), NO_GCE_CHECK="true")
    return env


def test_without_credentials_kops_says_how_to_provide_them(user):
    run = cli.runner({**user, "KOPS_STATE_STORE": "gs://some-kops-bucket/x"})
    error = one_line_error(run("get", "clusters"))
    assert error.startswith("Error: state store gs://some-kops-bucket/x: no usable Google credentials")
    assert "gcloud auth application-default login" in error and "GOOGLE_APPLICATION_CREDENTIALS" in error
    missing = one_line_error(run("get", "clusters", env={"GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent.json"}))
    assert "/nonexistent.json was not found" in missing


def test_a_refused_login_says_how_to_log_in_again(user, tmp_path):
    refused = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    with google(tmp_path, token=refused) as env:
        run = cli.runner({**user, **env, "KOPS_STATE_STORE": "gs://some-kops-bucket"})
        error = one_line_error(run("get", "clusters"))
    assert error.startswith("Error: state store gs://some-kops-bucket: the Google credentials could not be refreshed")
    assert "invalid_grant" in error and "gcloud auth application-default login" in error


def _objects(bucket_name: str, env: dict[str, str], prefix: str) -> list[str]:
    """The names in the testbed's bucket under ``prefix``, as Cloud Storage lists them."""
    client = storage.Client(project=PROJECT, credentials=AnonymousCredentials(),
                            client_options={"api_endpoint": env["STORAGE_EMULATOR_HOST"]})
    return sorted(b.name for b in client.list_blobs(bucket_name, prefix=prefix))


def test_a_gce_clusters_spec_lives_in_the_gs_store(user):
    bed = environment("gce")
    name = f"g{uuid.uuid4().hex[:8]}.example.com"
    run = cli.runner({**user, **bed})
    assert bed["KOPS_STATE_STORE"].startswith("gs://")
    created = run("create", "cluster", name, "--cloud", "gce", "--zones", "us-central1-a", "--project",
                  bed["GOOGLE_CLOUD_PROJECT"], "--networking", "calico")
    assert created.returncode == 0, created.stderr
    listed = run("get", "clusters")
    assert listed.returncode == 0, listed.stderr
    assert name in listed.stdout
    edited = run("edit", "cluster", name, "--set", "spec.kubernetesVersion=1.30.2")
    assert edited.returncode == 0, edited.stderr
    spec = yaml.safe_load(run("get", "cluster", name, "-o", "yaml").stdout)["spec"]
    assert spec["kubernetesVersion"] == "1.30.2"
    objects = _objects(bed["KOPS_STATE_STORE"].removeprefix("gs://"), bed, f"{name}/")
    assert f"{name}/config" in objects and f"{name}/instancegroup/nodes-us-central1-a" in objects
    assert any(o.startswith(f"{name}/.history/config/") for o in objects)  # the version the edit replaced


def test_delete_cluster_empties_the_clusters_folder_of_the_gs_store(user):
    """A cluster of any cloud may keep its state in GCS: here AWS (its emulator), whose clusters kops deletes."""
    pytest.importorskip("kops_aws")
    gce, aws = environment("gce"), environment("aws")
    store = f"gs://{gce['KOPS_STATE_STORE'].removeprefix('gs://')}/aws"
    run = cli.runner({**user, **{k: v for k, v in aws.items() if k != "KOPS_STATE_STORE"},
                      "STORAGE_EMULATOR_HOST": gce["STORAGE_EMULATOR_HOST"], "KOPS_STATE_STORE": store})
    name = f"a{uuid.uuid4().hex[:8]}.example.com"
    created = run("create", "cluster", name, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "none")
    assert created.returncode == 0, created.stderr
    assert name in run("get", "clusters").stdout
    bucket_name = gce["KOPS_STATE_STORE"].removeprefix("gs://")
    assert f"aws/{name}/config" in _objects(bucket_name, gce, f"aws/{name}/")
    previewed = run("delete", "cluster", name)
    assert previewed.returncode == 0, previewed.stderr
    assert f"aws/{name}/config" in _objects(bucket_name, gce, f"aws/{name}/")
    deleted = run("delete", "cluster", name, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert _objects(bucket_name, gce, f"aws/{name}/") == []
    assert run("get", "cluster", name).returncode == 1
