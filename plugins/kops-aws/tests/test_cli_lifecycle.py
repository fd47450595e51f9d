"""A cluster's whole life through the ``kops`` command line, against the AWS emulator over HTTP: plan,
apply, an empty re-plan, instances, delete; also with a share of AWS calls failing, with an apply
killed part-way, and with two applies at once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cli_kit import KOPS, ZONES, create, kops, owned_anything, owned_vpcs
from kops_aws.testing.faults import FaultyProxy


def test_full_lifecycle(lab):
    create(lab, "--control-plane-zones", ZONES + ",us-east-1c", "--topology", "private", "--bastion")
    plan = json.loads(kops(lab, "update", "cluster", lab["name"], "-o", "json").stdout)
    assert {c["action"] for c in plan["changes"]} == {"create"}
    assert owned_vpcs(lab["name"]) == []  # the plan changed nothing
    kops(lab, "update", "cluster", lab["name"], "--yes")
    assert len(owned_vpcs(lab["name"])) == 1
    replan = kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False)
    assert replan.returncode == 0, replan.stdout
    assert "No changes." in replan.stdout
    instances = json.loads(kops(lab, "get", "instances", lab["name"], "-o", "json").stdout)
    groups = {i["instanceGroup"] for i in instances}
    assert groups == {"bastions", "control-plane-us-east-1a", "control-plane-us-east-1b", "control-plane-us-east-1c",
                      "nodes-us-east-1a", "nodes-us-east-1b"}
    assert all({"id", "instanceGroup", "role", "state"} <= set(i) for i in instances)
    listed = kops(lab, "delete", "cluster", lab["name"])
    assert "--yes" in listed.stdout and len(owned_vpcs(lab["name"])) == 1
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    assert owned_anything(lab["name"]) == []
    assert kops(lab, "get", "cluster", lab["name"], check=False).returncode == 1


def test_detailed_exit_code_and_saved_plans(lab, tmp_path):
    create(lab)
    changes = kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", "--plan-out",
                   str(tmp_path / "plan.json"), check=False)
    assert changes.returncode == 2
    kops(lab, "update", "cluster", lab["name"], "--yes", "--plan", str(tmp_path / "plan.json"))
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    # The spec changed after a plan was saved: applying that plan is refused, nothing changes.
    kops(lab, "update", "cluster", lab["name"], "--plan-out", str(tmp_path / "plan2.json"))
    kops(lab, "edit", "ig", "--name", lab["name"], "nodes-us-east-1a", "--set", "spec.maxSize=3")
    store = Path(lab["env"]["KOPS_STATE_STORE"].removeprefix("file://"))
    before = stored_files(store)
    stale = kops(lab, "update", "cluster", lab["name"], "--yes", "--plan", str(tmp_path / "plan2.json"), check=False)
    assert stale.returncode == 1 and "Traceback" not in stale.stderr
    assert stored_files(store) == before  # not even the completed spec or the channel nodes boot from
    kops(lab, "delete", "cluster", lab["name"], "--yes")


def stored_files(store: Path) -> dict[str, bytes]:
    """The store's objects, without its bookkeeping (leases, the lock)."""
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and not str(p.relative_to(store)).startswith(".kops/")}


def test_converges_while_a_share_of_aws_calls_fail(lab):
    create(lab, "--topology", "private")
    with FaultyProxy(lab["aws"].endpoint_url, fail_rate=0.15, seed=7) as flaky:
        errors = []
        for _ in range(3):
            applied = kops(lab, "update", "cluster", lab["name"], "--yes", endpoint=flaky.endpoint_url, check=False)
            if applied.returncode == 0:
                break
            errors.append(applied.stderr)
        assert flaky.failed > 0
        replan = kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False)
        assert replan.returncode == 0, (errors, replan.stdout[-3000:])
        assert len(owned_vpcs(lab["name"])) == 1
        deletes = []
        for _ in range(3):
            deleted = kops(lab, "delete", "cluster", lab["name"], "--yes", endpoint=flaky.endpoint_url, check=False)
            deletes.append((deleted.returncode, deleted.stdout[-1500:], deleted.stderr[-1500:]))
            if deleted.returncode == 0:
                break
    assert owned_anything(lab["name"]) == [], deletes


@pytest.mark.parametrize("kill_after", [15, 60, 120])
def test_an_apply_killed_part_way_converges_when_run_again(lab, kill_after):
    create(lab, "--topology", "private")
    with FaultyProxy(lab["aws"].endpoint_url, fail_rate=0.0) as counting:
        env = {**lab["env"], "AWS_ENDPOINT_URL": counting.endpoint_url}
        p = subprocess.Popen([KOPS, "update", "cluster", lab["name"], "--yes"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while counting.passed < kill_after and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        p.send_signal(signal.SIGKILL)
        p.wait()
    kops(lab, "update", "cluster", lab["name"], "--yes")
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    assert len(owned_vpcs(lab["name"])) == 1
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    assert owned_anything(lab["name"]) == []


def test_two_applies_at_once_create_nothing_twice(lab):
    create(lab)
    env = {**lab["env"]}
    procs = [subprocess.Popen([KOPS, "update", "cluster", lab["name"], "--yes"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1])
    if codes == [0, 1]:
        assert any("lease" in err for code, err in results if code == 1)
    assert len(owned_vpcs(lab["name"])) == 1
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", lab["name"], "--yes")


def test_terraform_for_a_shared_ipv6_vpc_asks_for_its_egress_gateway(lab, tmp_path):
    """No API call in Terraform output: what no data source can find becomes an input variable."""
    from kops.testing import upstream

    manifest = upstream.require() / "update_cluster" / "shared_vpc_ipv6" / "in-v1alpha2.yaml"
    kops(lab, "create", "-f", str(manifest))
    kops(lab, "update", "cluster", "minimal-ipv6.example.com", "--target", "terraform", "--out", str(tmp_path / "tf"),
         "--yes", endpoint="http://127.0.0.1:9")  # nothing listens there: any API call would fail
    tf = (tmp_path / "tf" / "kubernetes.tf").read_text()
    assert 'variable "egress_only_internet_gateway_id"' in tf
    assert re.search(r"egress_only_gateway_id\s*=\s*var\.egress_only_internet_gateway_id", tf)


def test_create_cluster_yes_creates_for_real(lab):
    create(lab, "--yes")
    assert len(owned_vpcs(lab["name"])) == 1
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    assert owned_anything(lab["name"]) == []


def test_a_cluster_deleted_and_made_again_under_its_name_applies(lab):
    """AWS lists deleted NAT gateways (and volumes, groups being deleted) for a while: lookups ignore them."""
    import boto3

    create(lab, "--topology", "private")
    kops(lab, "update", "cluster", lab["name"], "--yes")
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    ec2 = boto3.client("ec2", region_name="us-east-1")
    tagged = [{"Name": "tag-key", "Values": [f"kubernetes.io/cluster/{lab['name']}"]}]
    assert {g["State"] for g in ec2.describe_nat_gateways(Filters=tagged)["NatGateways"]} == {"deleted"}
    create(lab, "--topology", "private")
    kops(lab, "update", "cluster", lab["name"], "--yes")
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    assert owned_anything(lab["name"]) == []


def test_an_apply_that_waited_for_the_lease_applies_the_spec_as_it_is_then(lab):
    """The spec is read and completed under the lease: a run that waited applies what the store says when its
    turn comes, not what it said when the run started."""
    import boto3
    from kops.state import open_store

    create(lab)
    kops(lab, "update", "cluster", lab["name"], "--yes")
    store = open_store(lab["env"]["KOPS_STATE_STORE"])
    with store.lease(f"update-{lab['name']}", f"someone@elsewhere:{os.getpid()}", 120):
        waiting = subprocess.Popen([KOPS, "update", "cluster", lab["name"], "--yes"], env=lab["env"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "waiting for another run of kops" in waiting.stderr.readline()
        kops(lab, "edit", "ig", "--name", lab["name"], "nodes-us-east-1a", "--set", "spec.maxSize=4")
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    groups = boto3.client("autoscaling", region_name="us-east-1").describe_auto_scaling_groups()["AutoScalingGroups"]
    assert [g["MaxSize"] for g in groups if g["AutoScalingGroupName"] == f"nodes-us-east-1a.{lab['name']}"] == [4]
    kops(lab, "delete", "cluster", lab["name"], "--yes")


def test_an_endpoint_that_cannot_be_reached_is_named_within_a_minute(lab):
    create(lab)
    # Nothing listening, and a name that does not resolve: both runs at once, since waiting is all they cost.
    runs = {endpoint: (time.monotonic(), subprocess.Popen(
        [KOPS, "update", "cluster", lab["name"]], env={**lab["env"], "AWS_ENDPOINT_URL": endpoint},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for endpoint in ("http://127.0.0.1:9", "http://no-such-host.invalid")}
    for endpoint, (started, p) in runs.items():
        _, err = p.communicate(timeout=300)
        took = time.monotonic() - started
        lines = err.strip().splitlines()
        assert p.returncode == 1 and took < 60, (endpoint, took, err)
        assert lines[0].startswith(f"WARNING kops.engine: cannot reach {endpoint}")
        assert lines[-1].startswith(f"Error: cannot reach {endpoint}") and "internal error" not in err
