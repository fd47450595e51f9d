"""The example cloud's API and stand-in, as the plugin relies on them: the rules its answers follow, its testbed
from a shell, retries of a busy API, and Terraform refused in one line."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from example_cloud_kit import ok
from kops.testing import cli
from kops_example_cloud.api import ApiError, ExampleAPI
from kops_example_cloud.testing.server import ExampleCloudServer


@pytest.fixture
def server():
    server = ExampleCloudServer()
    server.start()
    yield server
    server.stop()


def refused(call) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value.status, caught.value.code


def test_the_api_keeps_pools_at_their_size_and_refuses_what_the_real_thing_would(server):
    api = ExampleAPI(server.endpoint)
    net = api.create("networks", {"name": "n", "cidr": "10.1.0.0/24", "labels": {"team": "a"}})
    launch = {"machineType": "standard-2", "image": "example-os-24.04", "userData": ""}
    pool = api.create("pools", {"name": "p", "network": net["id"], "zones": ["zone-a", "zone-b"], "size": 3,
                                "launch": launch})
    machines = api.list("instances")
    assert sorted(m["zone"] for m in machines) == ["zone-a", "zone-a", "zone-b"]
    assert {(m["launchVersion"], m["network"]) for m in machines} == {(1, net["id"])}
    assert len({m["privateIp"] for m in machines}) == 3

    changed = api.update("pools", pool["id"], {"launch": {**launch, "machineType": "standard-4"}, "size": 2})
    assert changed["launchVersion"] == 2 and len(api.list("instances")) == 2
    assert api.list("networks", label="team=a") == [net] and api.list("networks", label="team=b") == []

    assert refused(lambda: api.create("networks", {"name": "n", "cidr": "10.2.0.0/24"})) == (409, "AlreadyExists")
    assert refused(lambda: api.update("networks", net["id"], {"cidr": "10.9.0.0/24"})) == (400, "FieldImmutable")
    assert refused(lambda: api.delete("networks", net["id"])) == (409, "ResourceInUse")
    assert refused(lambda: api.create("instances", {})) == (405, "MethodNotAllowed")
    assert refused(lambda: api.create("volumes", {"name": "v", "zone": "us-east-1a", "sizeGb": 20})) == \
        (400, "InvalidArgument")
    api.delete("pools", pool["id"])
    assert api.list("instances") == []
    api.delete("networks", net["id"])
    assert refused(lambda: api.get("networks", net["id"])) == (404, "NotFound")


def test_the_testbed_prints_its_environment_and_the_api_answers_there():
    proc = subprocess.Popen([sys.executable, "-m", "kops.testing.testbed", "example"], stdout=subprocess.PIPE,
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
        assert set(env) == {"EXAMPLE_CLOUD_ENDPOINT", "KOPS_STATE_STORE"}
        assert env["KOPS_STATE_STORE"].startswith("file:///")
        assert ExampleAPI(env["EXAMPLE_CLOUD_ENDPOINT"]).list("networks") == []
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def test_a_busy_api_is_retried_until_the_cluster_is_up_and_gone(tmp_path: Path):
    """Every third call answers 503: the engine retries each one, so apply, re-plan and delete all succeed."""
    server = ExampleCloudServer(fail_every=3)
    server.start()
    try:
        kops = cli.runner({**cli.isolated_env(tmp_path), **server.environ()}, timeout=300)
        ok(kops("create", "cluster", "busy.example.com", "--cloud", "example", "--zones", "zone-a",
                "--networking", "cni"))
        ok(kops("update", "cluster", "busy.example.com", "--yes"))
        assert ok(kops("update", "cluster", "busy.example.com", "--detailed-exitcode")).returncode == 0
        assert len(server.state.listing("instances", [])) == 2
        ok(kops("delete", "cluster", "busy.example.com", "--yes"))
        assert all(server.state.listing(kind, []) == [] for kind in server.state.resources)
    finally:
        server.stop()


def test_terraform_output_is_refused_in_one_line(kops):
    ok(kops("create", "cluster", "tf.example.com", "--cloud", "example", "--zones", "zone-a", "--networking", "cni"))
    result = kops("update", "cluster", "tf.example.com", "--target", "terraform", "--out", "tf")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["Error: the example cloud has no Terraform provider: use kops "
                                                  "update cluster --yes"]
