"""A GCE cluster's whole life through the CLI alone, on the testbed (the Compute fake, a ``gs://`` state store):
the shared lifecycle (create, plan, apply, an empty re-plan, instances, delete leaving nothing), a rolling update
after a machine type change, and the same lifecycle while a share of the API's calls fail."""

from __future__ import annotations

import json

import pytest
from kops.testing import cli
from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected by pytest
from kops_gce.testing.leftovers import leftovers

#: The shared lifecycle's cluster too (conftest.py): an HA control plane over three zones, private topology.
HA_ZONES = "us-central1-a,us-central1-b,us-central1-c"
HA = ("--zones", HA_ZONES, "--control-plane-zones", HA_ZONES, "--topology", "private", "--networking", "calico")
ROLL = ("--node-interval", "0s", "--control-plane-interval", "0s", "--post-drain-delay", "0s",
        "--validate-interval", "0.2s", "--validation-timeout", "60s")


def ok(result):
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def instances(kops, name) -> dict[str, tuple[str, str, str]]:
    """Machine ID -> (group, status, machine type)."""
    listed = json.loads(ok(kops("get", "instances", name, "-o", "json")).stdout)
    return {i["id"]: (i["instanceGroup"], i["status"], i["machineType"]) for i in listed}


def test_a_machine_type_change_is_rolled_out_by_a_cloud_only_rolling_update(cloud_kops, cloud_env, cluster_name):
    kops, name = cloud_kops, cluster_name
    ok(kops("create", "cluster", name, "--cloud", "gce", *HA))
    ok(kops("update", "cluster", name, "--yes"))
    before = instances(kops, name)
    assert {s for _, s, _ in before.values()} == {"UpToDate"}
    ok(kops("edit", "instancegroup", "nodes-us-central1-a", "--name", name, "--set", "spec.machineType=e2-standard-2"))
    plan = ok(kops("update", "cluster", name)).stdout
    assert "nodes-us-central1-a" in plan
    ok(kops("update", "cluster", name, "--yes"))
    stale = {i for i, (g, s, _) in instances(kops, name).items() if s == "NeedsUpdate"}
    assert stale == {i for i, (g, _, _) in before.items() if g == "nodes-us-central1-a"}
    rolled = ok(kops("rolling-update", "cluster", name, "--yes", "--cloudonly", *ROLL))
    assert "nodes-us-central1-a" in rolled.stdout + rolled.stderr
    after = instances(kops, name)
    assert not stale & set(after)
    assert {s for _, s, _ in after.values()} == {"UpToDate"}
    assert sorted(g for g, _, _ in after.values()) == sorted(g for g, _, _ in before.values())
    assert {t for g, _, t in after.values() if g == "nodes-us-central1-a"} == {"e2-standard-2"}
    replan = kops("update", "cluster", name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr
    ok(kops("delete", "cluster", name, "--yes"))
    assert leftovers(cloud_env, name) == []


@pytest.fixture
def flaky_env(tmp_path):
    """A Compute fake answering 15% of calls with a 503 or 429, and a file:// state store."""
    from kops_gce.testing.fakegce import FakeGCE

    with FakeGCE(["flaky"], fail_rate=0.15) as fake:
        env = cli.isolated_env(tmp_path)
        env.update(CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=f"{fake.url}/compute/v1/",
                   CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM=f"{fake.url}/",
                   CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=f"{fake.url}/",
                   CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS=f"{fake.url}/dns/v1/",
                   CLOUDSDK_AUTH_DISABLE_CREDENTIALS="true", GOOGLE_CLOUD_PROJECT="flaky",
                   CLOUDSDK_CORE_PROJECT="flaky", NO_GCE_CHECK="true")
        yield env, fake


def test_the_lifecycle_holds_while_calls_fail(flaky_env, cluster_name):
    env, fake = flaky_env
    kops = cli.runner(env, timeout=900)
    ok(kops("create", "cluster", cluster_name, "--cloud", "gce", *HA))
    ok(kops("update", "cluster", cluster_name, "--yes"))
    replan = kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr
    groups = json.loads(ok(kops("get", "instancegroups", "--name", cluster_name, "-o", "json")).stdout)
    assert {g for g, _, _ in instances(kops, cluster_name).values()} == {g["metadata"]["name"] for g in groups}
    ok(kops("delete", "cluster", cluster_name, "--yes"))
    fake.fail_rate = 0  # what is left is read without failures
    assert leftovers(env, cluster_name) == []
