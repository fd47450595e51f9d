"""On the AWS emulator: a manifest that names the user's VPC and subnets only by ID (no CIDRs, one subnet without
its zone) and a node group without subnets, as upstream accepts it. ``kops create -f`` takes it as written,
``kops update cluster`` reads the rest from AWS into the completed spec (the stored spec keeps what was written),
and a resource AWS does not have is named in one line."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import yaml
from cli_kit import kops, owned_anything

MANIFEST = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: {name}
spec:
  cloudProvider: aws
  kubernetesVersion: v1.35.7
  networkID: {vpc}
  networking:
    calico: {{}}
  api:
    loadBalancer:
      class: Network
      type: Public
  topology:
    dns:
      type: None
  etcdClusters:
  - name: main
    etcdMembers:
    - name: a
      instanceGroup: control-plane
  - name: events
    etcdMembers:
    - name: a
      instanceGroup: control-plane
  subnets:
  - name: a
    id: {subnet_a}
    type: Public
  - name: b
    id: {subnet_b}
    type: Public
    zone: us-east-1b
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: control-plane
  labels:
    kops.k8s.io/cluster: {name}
spec:
  role: ControlPlane
  image: {image}
  subnets:
  - a
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes
  labels:
    kops.k8s.io/cluster: {name}
spec:
  role: Node
  image: {image}
  minSize: 1
  maxSize: 1
"""


@pytest.fixture
def network(aws):
    """A VPC with an internet gateway and two subnets, as a user would have made them; removed afterwards, with what
    a test added to ``extra`` (NAT gateways, addresses, VPCs), since the emulator serves the whole session."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.32.0/19", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.64.0/19", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    extra: dict[str, list[str]] = {"nat": [], "address": [], "vpc": []}
    yield {"vpc": vpc, "subnet_a": a, "subnet_b": b, "extra": extra}
    for nat in extra["nat"]:
        ec2.delete_nat_gateway(NatGatewayId=nat)
    for address in extra["address"]:
        ec2.release_address(AllocationId=address)
    for subnet in (a, b):
        ec2.delete_subnet(SubnetId=subnet)
    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=gateway)
    for each in (vpc, *extra["vpc"]):
        ec2.delete_vpc(VpcId=each)


def _manifest(lab: dict, tmp_path: Path, vpc: str, subnet_a: str, subnet_b: str, **_: object) -> Path:
    path = tmp_path / "cluster.yaml"
    path.write_text(MANIFEST.format(name=lab["name"], image=lab["image"], vpc=vpc, subnet_a=subnet_a,
                                    subnet_b=subnet_b))
    return path


def test_shared_subnets_by_id_are_read_from_aws_at_update(lab, tmp_path, network):
    name = lab["name"]
    ids = network
    kops(lab, "create", "-f", str(_manifest(lab, tmp_path, **ids)))
    stored = kops(lab, "get", "cluster", name, "-o", "yaml").stdout

    plan = json.loads(kops(lab, "update", "cluster", name, "-o", "json").stdout)
    assert {c["action"] for c in plan["changes"]} == {"create"}
    kops(lab, "update", "cluster", name, "--yes")
    replan = kops(lab, "update", "cluster", name, "--detailed-exitcode", check=False)
    assert replan.returncode == 0, replan.stdout

    completed = yaml.safe_load(kops(lab, "get", "cluster", name, "--full", "-o", "yaml").stdout)["spec"]
    assert completed["networkCIDR"] == "10.20.0.0/16"
    assert [(s["zone"], s["cidr"]) for s in completed["subnets"]] == [("us-east-1a", "10.20.32.0/19"),
                                                                       ("us-east-1b", "10.20.64.0/19")]
    assert kops(lab, "get", "cluster", name, "-o", "yaml").stdout == stored  # as written: no zone, no CIDRs
    assert "10.20." not in stored

    # The node group was placed in both subnets, as upstream fills in a group that names none.
    groups = {i["instanceGroup"]: i for i in json.loads(kops(lab, "get", "instances", name, "-o", "json").stdout)}
    assert set(groups) == {"control-plane", "nodes"}
    asg = boto3.client("autoscaling", region_name="us-east-1").describe_auto_scaling_groups(
        AutoScalingGroupNames=[f"nodes.{name}"])["AutoScalingGroups"][0]
    assert set(asg["VPCZoneIdentifier"].split(",")) == {ids["subnet_a"], ids["subnet_b"]}
    assert kops(lab, "get", "ig", "--name", name, "nodes", "-o", "yaml").stdout.count("subnets") == 0
    kops(lab, "delete", "cluster", name, "--yes")
    assert owned_anything(name) == []


def test_a_subnet_aws_does_not_have_is_named_in_one_line(lab, tmp_path, network):
    ids = {**network, "subnet_a": "subnet-0123456789abcdef0"}
    kops(lab, "create", "-f", str(_manifest(lab, tmp_path, **ids)))
    failed = kops(lab, "update", "cluster", lab["name"], check=False)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1].endswith(
        "spec.subnets[0].id: subnet-0123456789abcdef0 does not exist in us-east-1")
    assert "Traceback" not in failed.stderr


def test_terraform_output_asks_aws_nothing_and_names_a_zone_it_needs(lab, tmp_path, network):
    """Terraform output works on what is given: CIDRs may be missing, but the control plane's zone is needed."""
    ids = network
    kops(lab, "create", "-f", str(_manifest(lab, tmp_path, **ids)))
    out = str(tmp_path / "tf")
    unreachable = "http://127.0.0.1:9"  # nothing listens there: any AWS call would fail
    failed = kops(lab, "update", "cluster", lab["name"], "--target", "terraform", "--out", out, "--yes",
                  endpoint=unreachable, check=False)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "spec.subnets[0].zone: required for Terraform output" in failed.stderr
    assert ids["subnet_a"] in failed.stderr
    kops(lab, "edit", "cluster", lab["name"], "--set", "spec.subnets[0].zone=us-east-1a")
    kops(lab, "update", "cluster", lab["name"], "--target", "terraform", "--out", out, "--yes", endpoint=unreachable)
    assert ids["subnet_a"] in (tmp_path / "tf" / "kubernetes.tf").read_text()


def _tree(**spec) -> dict:
    return {"metadata": {"name": "demo.example.com"}, "spec": spec}


def test_the_shared_vpc_cidr_and_the_egress_are_read_or_named(network):
    """Without the CLI: the VPC's CIDR (which the Amazon VPC CNI's pods use too, as upstream), a NAT gateway named as
    a subnet's egress, and one line for each kind of resource AWS does not have."""
    from kops.errors import KopsError
    from kops_aws.shared_network import fill

    ids = network
    ec2 = boto3.client("ec2", region_name="us-east-1")
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ids["extra"]["address"].append(address)
    nat = ec2.create_nat_gateway(SubnetId=ids["subnet_b"], AllocationId=address)["NatGateway"]["NatGatewayId"]
    ids["extra"]["nat"].append(nat)
    subnets = [{"name": "a", "id": ids["subnet_a"], "type": "Private", "egress": nat},
               {"name": "b", "id": ids["subnet_b"], "type": "Utility", "zone": "us-east-1b"}]
    cluster = _tree(networkID=ids["vpc"], networking={"amazonvpc": {}}, subnets=subnets)
    fill(cluster, "us-east-1")
    assert cluster["spec"]["networkCIDR"] == cluster["spec"]["nonMasqueradeCIDR"] == "10.20.0.0/16"
    assert [(s.get("zone"), s.get("cidr")) for s in cluster["spec"]["subnets"]] == [
        ("us-east-1a", "10.20.32.0/19"), ("us-east-1b", "10.20.64.0/19")]

    def refused(**spec) -> str:
        with pytest.raises(KopsError) as caught:
            fill(_tree(**spec), "us-east-1")
        return str(caught.value)

    assert refused(networkID="vpc-0123456789abcdef0", subnets=[]) == (
        "Cluster/demo.example.com: spec.networkID: vpc-0123456789abcdef0 does not exist in us-east-1")
    assert refused(subnets=[{"name": "a", "id": ids["subnet_a"], "zone": "us-east-1a", "cidr": "10.20.32.0/19",
                             "egress": "nat-0123456789abcdef0"}]) == (
        "Cluster/demo.example.com: spec.subnets[0].egress: NAT gateway nat-0123456789abcdef0 does not exist in "
        "us-east-1")
    assert refused(subnets=[{"name": "a", "id": ids["subnet_a"], "zone": "us-east-1b"}]) == (
        f"Cluster/demo.example.com: spec.subnets[0].zone: us-east-1b is not what AWS has for {ids['subnet_a']} "
        "(us-east-1a)")
    other = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    ids["extra"]["vpc"].append(other)
    assert refused(networkID=other, networkCIDR="10.30.0.0/16", subnets=[{"name": "a", "id": ids["subnet_a"]}]) == (
        f"Cluster/demo.example.com: spec.subnets[0].id: {ids['subnet_a']} is in {ids['vpc']}, not in "
        f"spec.networkID {other}")
