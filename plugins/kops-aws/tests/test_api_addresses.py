"""A cluster without DNS (``--dns none``) is reached at its API load balancer's address: ``kops update cluster
--yes`` makes the load balancer first and names its address in the control plane's nodeup configuration, so the
API server's certificate is valid for it; the next update changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import yaml
from cli_kit import create, kops
from kops_aws.naming import name32


def control_plane_config(lab: dict) -> dict:
    store = Path(lab["env"]["KOPS_STATE_STORE"].removeprefix("file://")) / lab["name"]
    [path] = store.glob("igconfig/control-plane/*/nodeupconfig.yaml")
    return yaml.safe_load(path.read_text())


def test_the_api_servers_certificate_names_the_load_balancer(lab):
    create(lab, "--dns", "none")
    plan = json.loads(kops(lab, "update", "cluster", lab["name"], "-o", "json").stdout)
    assert any("ApiserverAdditionalIPs" in w for w in plan["warnings"])  # the plan says what it cannot show
    kops(lab, "update", "cluster", lab["name"], "--yes")
    elbv2 = boto3.client("elbv2", region_name="us-east-1")
    [lb] = elbv2.describe_load_balancers(Names=[name32(lab["name"], "api")])["LoadBalancers"]
    config = control_plane_config(lab)
    assert lb["DNSName"] in config["ApiserverAdditionalIPs"]
    nodes = Path(lab["env"]["KOPS_STATE_STORE"].removeprefix("file://")) / lab["name"] / "igconfig/node"
    assert all("ApiserverAdditionalIPs" not in p.read_text() for p in nodes.glob("*/nodeupconfig.yaml"))
    replan = kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False)
    assert replan.returncode == 0, replan.stdout
    assert "ApiserverAdditionalIPs" not in replan.stdout + replan.stderr
    kops(lab, "delete", "cluster", lab["name"], "--yes")


def test_a_saved_plan_applies_with_the_load_balancers_address(lab, tmp_path):
    create(lab, "--dns", "none")
    kops(lab, "update", "cluster", lab["name"], "--plan-out", str(tmp_path / "plan.json"))
    kops(lab, "update", "cluster", lab["name"], "--yes", "--plan", str(tmp_path / "plan.json"))
    assert control_plane_config(lab)["ApiserverAdditionalIPs"]
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", lab["name"], "--yes")
