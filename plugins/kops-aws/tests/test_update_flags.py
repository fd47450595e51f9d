"""``kops update cluster``'s day-2 flags on the emulator: the kubeconfig an apply writes (reaching the API by the
load balancer's name where no DNS record names it), and updates limited to some instance groups or with a task
type's lifecycle forced."""

from __future__ import annotations

from pathlib import Path

import yaml
from cli_kit import create, kops


def _kubeconfig(lab) -> dict:
    return yaml.safe_load((Path(lab["env"]["HOME"]) / ".kube" / "config").read_text())


def test_an_apply_writes_the_kubeconfig_with_the_load_balancers_name(lab):
    import boto3

    create(lab, "--dns", "none")
    p = kops(lab, "update", "cluster", lab["name"], "-y")
    assert f"kops has set your kubectl context to {lab['name']}" in p.stderr
    assert "no credentials" in p.stderr  # neither --admin nor --user: upstream's warning
    lbs = boto3.client("elbv2", region_name="us-east-1").describe_load_balancers()["LoadBalancers"]
    (dns_name,) = [lb["DNSName"] for lb in lbs if lb["LoadBalancerName"].startswith("api-")]
    config = _kubeconfig(lab)
    (cluster,) = [c for c in config["clusters"] if c["name"] == lab["name"]]
    assert cluster["cluster"]["server"] == f"https://{dns_name}"
    (user,) = [u for u in config["users"] if u["name"] == lab["name"]]
    assert not user.get("user")
    kops(lab, "update", "cluster", lab["name"], "--yes", "--admin=1h")
    (user,) = [u for u in _kubeconfig(lab)["users"] if u["name"] == lab["name"]]
    assert user["user"]["client-certificate-data"] and user["user"]["client-key-data"]
    kops(lab, "delete", "cluster", lab["name"], "--yes")


def test_an_update_limited_to_one_group_leaves_the_others_alone(lab):
    create(lab)
    kops(lab, "update", "cluster", lab["name"], "--yes", "--create-kube-config=false")
    assert "context" not in kops(lab, "update", "cluster", lab["name"], "--yes", "--create-kube-config=false").stderr
    for group in ("nodes-us-east-1a", "nodes-us-east-1b"):
        kops(lab, "edit", "ig", "--name", lab["name"], group, "--set", "spec.machineType=t3.large",
             "--set", "spec.kubelet.maxPods=50")
    other = Path(lab["env"]["HOME"]) / "state" / lab["name"] / "igconfig/node/nodes-us-east-1b/nodeupconfig.yaml"
    before = other.read_bytes()
    limited = kops(lab, "update", "cluster", lab["name"], "--instance-group", "nodes-us-east-1a").stdout
    assert "LaunchTemplate/nodes-us-east-1a" in limited and "nodes-us-east-1b" not in limited
    assert "nodes-us-east-1a" not in kops(lab, "update", "cluster", lab["name"], "--instance-group-roles",
                                          "control-plane").stdout
    kops(lab, "update", "cluster", lab["name"], "--yes", "--instance-group", "nodes-us-east-1a")
    # The other group's machines boot from its nodeup configuration as their user data pins it: left as it was.
    assert other.read_bytes() == before
    rest = kops(lab, "update", "cluster", lab["name"]).stdout
    assert "LaunchTemplate/nodes-us-east-1b" in rest and "nodes-us-east-1a" not in rest
    assert "igconfig/node/nodes-us-east-1b/nodeupconfig.yaml" in rest
    ignored = kops(lab, "update", "cluster", lab["name"], "--lifecycle-overrides", "LaunchTemplate=Ignore").stdout
    assert "LaunchTemplate/" not in ignored
    for flag, value, message in (("--instance-group", "nodes-nowhere", "--instance-group: no instance group"),
                                 ("--lifecycle-overrides", "LaunchTemplate=Often", "is not TYPE=LIFECYCLE"),
                                 ("--lifecycle-overrides", "Teapot=Ignore", "no task of type 'Teapot'")):
        p = kops(lab, "update", "cluster", lab["name"], flag, value, check=False)
        assert p.returncode == 1 and message in p.stderr and "Traceback" not in p.stderr, p.stderr
    kops(lab, "delete", "cluster", lab["name"], "--yes")
