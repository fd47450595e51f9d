"""`python -m kops.testing.testbed gce`: the Compute fake and fake-gcs-server with a state-store bucket, their
environment printed for a shell; Google's own libraries work against it with nothing but that environment."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest
from google.api_core import exceptions
from google.cloud import compute_v1, storage
from kops.errors import KopsError
from kops_gce.clients import compute_client, compute_endpoint, credentials_disabled


@pytest.fixture(scope="module")
def testbed():
    """The testbed started as a user starts it, and the environment it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "kops.testing.testbed", "gce"], stdout=subprocess.PIPE,
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
        yield env
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_the_testbed_prints_the_google_tools_variables(testbed):
    assert testbed["KOPS_STATE_STORE"] == "gs://kops-state"
    assert testbed["GOOGLE_CLOUD_PROJECT"] == testbed["CLOUDSDK_CORE_PROJECT"]
    assert testbed["CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"].startswith("http://127.0.0.1:")
    assert testbed["CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"].endswith("/compute/v1/")
    assert testbed["STORAGE_EMULATOR_HOST"].startswith("http://127.0.0.1:")
    assert testbed["CLOUDSDK_AUTH_DISABLE_CREDENTIALS"] == "true" and testbed["NO_GCE_CHECK"] == "true"


def test_compute_answers_through_clients_built_from_the_environment(testbed):
    project = testbed["GOOGLE_CLOUD_PROJECT"]
    zones = [z.name for z in compute_client(compute_v1.ZonesClient, testbed).list(project=project)]
    assert {"us-test1-a", "us-central1-a"} <= set(zones)
    networks = compute_client(compute_v1.NetworksClient, testbed)
    networks.insert(project=project, network_resource=compute_v1.Network(
        name="tb", auto_create_subnetworks=False)).result()
    assert networks.get(project=project, network="tb").self_link.endswith(f"/projects/{project}/global/networks/tb")


def test_the_state_store_bucket_enforces_generation_preconditions(testbed, monkeypatch):
    for name in ("STORAGE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.setenv(name, testbed[name])
    bucket = storage.Client().bucket(testbed["KOPS_STATE_STORE"].removeprefix("gs://"))
    blob = bucket.blob("a.example.com/config")
    blob.upload_from_string(b"first", if_generation_match=0)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("a.example.com/config").upload_from_string(b"again", if_generation_match=0)
    read = bucket.get_blob("a.example.com/config")
    assert read.download_as_bytes() == b"first"
    bucket.blob("a.example.com/config").upload_from_string(b"second", if_generation_match=read.generation)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("a.example.com/config").upload_from_string(b"lost", if_generation_match=read.generation)
    assert bucket.blob("a.example.com/config").download_as_bytes() == b"second"


def test_the_client_helper_reads_gclouds_variables():
    assert compute_endpoint({}) is None
    assert compute_endpoint({"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "http://127.0.0.1:8080/compute/v1/"}) == \
        "http://127.0.0.1:8080"
    assert compute_endpoint({"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "https://proxy.example/gce/compute/v1"}) == \
        "https://proxy.example/gce"
    with pytest.raises(KopsError, match="not a Compute API base URL"):
        compute_endpoint({"CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "http://127.0.0.1:8080/"})
    assert credentials_disabled({"CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "True"})
    assert not credentials_disabled({})
    from google.auth.credentials import AnonymousCredentials

    client = compute_client(compute_v1.NetworksClient, {
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": "http://127.0.0.1:8080/compute/v1/",
        "CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "1"})
    assert client.api_endpoint == "http://127.0.0.1:8080"
    assert isinstance(client._transport._credentials, AnonymousCredentials)
    # Operations are polled where the calls went.
    polls = client._transport._extended_operations_services["zone_operations"]
    assert polls.api_endpoint == "http://127.0.0.1:8080"


def test_an_unknown_testbed_name_still_lists_gce():
    proc = subprocess.run([sys.executable, "-m", "kops.testing.testbed", "nosuchcloud"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1 and "gce" in proc.stderr
