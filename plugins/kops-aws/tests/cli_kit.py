"""Helpers for tests that run the ``kops`` command line against the AWS emulator (the ``lab`` fixture is in
conftest.py): running kops, creating a cluster, and what the emulator still has of a cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

KOPS = str(Path(sys.executable).with_name("kops"))
ZONES = "us-east-1a,us-east-1b"


def kops(lab: dict, *args: str, endpoint: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(lab["env"])
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    p = subprocess.run([KOPS, *args], env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert p.returncode == 0, f"kops {' '.join(args)}: {p.stderr}"
    return p


def create(lab: dict, *extra: str) -> None:
    kops(lab, "create", "cluster", lab["name"], "--cloud", "aws", "--zones", ZONES, "--networking", "calico",
         "--image", lab["image"], *extra)


def owned_vpcs(name: str) -> list[dict]:
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    return ec2.describe_vpcs(Filters=[{"Name": f"tag:kubernetes.io/cluster/{name}", "Values": ["owned"]}])["Vpcs"]


def owned_anything(name: str, env: dict[str, str] | None = None) -> list[str]:
    """Every live resource the emulator still has tagged as owned by the cluster, type by type (the emulator the
    environment ``env`` points at, else this process's)."""
    import boto3

    session = boto3.session.Session(region_name="us-east-1")
    where = {"endpoint_url": env["AWS_ENDPOINT_URL"], "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
             "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]} if env else {}

    def client(service: str):  # noqa: ANN202 - a boto3 client
        return session.client(service, **where)

    ec2 = client("ec2")
    owned = [{"Name": f"tag:kubernetes.io/cluster/{name}", "Values": ["owned"]}]
    left = [v["VpcId"] for v in ec2.describe_vpcs(Filters=owned)["Vpcs"]]
    left += [s["SubnetId"] for s in ec2.describe_subnets(Filters=owned)["Subnets"]]
    left += [g["GroupId"] for g in ec2.describe_security_groups(Filters=owned)["SecurityGroups"]]
    left += [r["RouteTableId"] for r in ec2.describe_route_tables(Filters=owned)["RouteTables"]]
    left += [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=owned)["InternetGateways"]]
    left += [a["AllocationId"] for a in ec2.describe_addresses(Filters=owned)["Addresses"]]
    left += [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filter=owned)["NatGateways"]
             if n["State"] not in ("deleted", "deleting")]
    left += [t["LaunchTemplateId"] for t in ec2.describe_launch_templates(Filters=owned)["LaunchTemplates"]]
    left += [v["VolumeId"] for v in ec2.describe_volumes(Filters=owned)["Volumes"] if v["State"] != "deleted"]
    left += [d["DhcpOptionsId"] for d in ec2.describe_dhcp_options(Filters=owned)["DhcpOptions"]]
    tag = f"kubernetes.io/cluster/{name}"
    asg = client("autoscaling")
    left += [g["AutoScalingGroupName"] for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
             if any(t["Key"] == tag for t in g.get("Tags", []))]
    elb = client("elbv2")
    lbs = elb.describe_load_balancers()["LoadBalancers"]
    if lbs:
        described = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"] for lb in lbs])["TagDescriptions"]
        left += [d["ResourceArn"] for d in described if any(t["Key"] == tag for t in d["Tags"])]
    return left
