"""An HA cluster on the DigitalOcean testbed, through the installed ``kops`` only, kept in Spaces (``do://``): three
control-plane Droplets behind the API load balancer and two nodes are planned, applied and re-planned to no changes,
listed, rolled after a size change, and deleted leaving nothing tagged for or named after the cluster. Bad tokens
and unknown regions stop in one line, before anything is made."""

from __future__ import annotations

import json
import subprocess
import sys

import digitalocean
from kops.testing.cli import KOPS, one_line_error

from conftest import leftovers


def ok(result):
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result


def api(env):
    return digitalocean.Manager(token=env["DIGITALOCEAN_ACCESS_TOKEN"], end_point=env["DIGITALOCEAN_END_POINT"])


def instances(cloud_kops, name):
    return json.loads(ok(cloud_kops("get", "instances", name, "-o", "json")).stdout)


def test_ha_cluster_life(cloud_kops, cloud_env, cluster_name):
    assert cloud_env["KOPS_STATE_STORE"].startswith("do://")
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "digitalocean", "--zones", "nyc1",
                  "--control-plane-count", "3", "--node-count", "2", "--networking", "cni"))
    planned = json.loads(ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout)["changes"]
    kinds = {c["type"] for c in planned}
    assert {"DropletGroup", "LoadBalancer", "Volume", "Firewall"} <= kinds
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr

    safe = cluster_name.replace(".", "-")
    balancers = [lb for lb in api(cloud_env).get_data("load_balancers")["load_balancers"] if lb["name"] == f"api-{safe}"]
    assert len(balancers) == 1 and balancers[0]["tag"] == f"KubernetesCluster-Master:{safe}"
    assert len(balancers[0]["droplet_ids"]) == 3
    volumes = api(cloud_env).get_data("volumes", params={"tag_name": f"KubernetesCluster:{safe}"})["volumes"]
    assert sorted(v["name"] for v in volumes) == sorted(f"kops-etcd-{i}-etcd-{e}-{safe}" for i in (1, 2, 3)
                                                        for e in ("main", "events"))

    listed = instances(cloud_kops, cluster_name)
    assert sorted(i["role"] for i in listed) == ["control-plane"] * 3 + ["node"] * 2
    assert {i["status"] for i in listed} == {"UpToDate"}

    ok(cloud_kops("edit", "instancegroup", "nodes-nyc1", "--name", cluster_name, "--set",
                  "spec.machineType=s-4vcpu-8gb"))
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    stale = {i["id"] for i in instances(cloud_kops, cluster_name) if i["status"] == "NeedsUpdate"}
    assert stale == {i["id"] for i in listed if i["role"] == "node"}
    ok(cloud_kops("rolling-update", "cluster", cluster_name, "--cloudonly", "--yes"))
    rolled = instances(cloud_kops, cluster_name)
    nodes = [i for i in rolled if i["role"] == "node"]
    assert len(nodes) == 2 and not {i["id"] for i in nodes} & stale
    assert {(i["status"], i["machineType"]) for i in nodes} == {("UpToDate", "s-4vcpu-8gb")}
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr

    ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert leftovers(cloud_env, cluster_name) == []


def test_a_refused_token_and_an_unknown_region_are_one_line_errors(cloud_kops, cloud_env, cluster_name):
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "digitalocean", "--zones", "xyz9",
                  "--networking", "cni"))
    region = one_line_error(cloud_kops("update", "cluster", cluster_name, "--yes"))
    assert region.startswith("Error: spec.subnets[0].region: DigitalOcean has no region 'xyz9'"), region
    refused = one_line_error(cloud_kops("update", "cluster", cluster_name, "--yes",
                                        env={"DIGITALOCEAN_ACCESS_TOKEN": "not-a-token"}))
    assert refused.startswith("Error: DIGITALOCEAN_ACCESS_TOKEN was refused by the DigitalOcean API"), refused
    assert "not-a-token" not in refused
    assert leftovers(cloud_env, cluster_name) == []


def test_help_imports_no_digitalocean_library(cloud_env):
    shown = subprocess.run([sys.executable, "-X", "importtime", KOPS, "--help"], env=cloud_env,
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    imported = {line.split("|")[-1].strip() for line in shown.stderr.splitlines() if line.startswith("import time:")}
    assert not {m for m in imported if m.split(".")[0] in ("digitalocean", "requests", "boto3", "botocore")}
