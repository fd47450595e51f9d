"""The network model against moto: plan, apply, plan again (no changes), delete what the cluster owns."""

from __future__ import annotations

import pytest
from aws_model_kit import actions, apply, delete_owned, model_for, plan
from kops_aws.awsapi import AWSApi
from kops_aws.tags import from_aws
from kops_aws.testing import moto_gaps


@pytest.fixture
def fresh(aws):
    moto_gaps.fill()
    aws.reset()
    return aws


def owned_by(api: AWSApi, cluster: str) -> dict[str, list]:
    """Everything in the region carrying the cluster's ownership tag, by kind."""
    tag = [{"Name": "tag-key", "Values": [f"kubernetes.io/cluster/{cluster}"]}]
    ec2 = api.ec2
    found = {
        "vpcs": ec2.describe_vpcs(Filters=tag)["Vpcs"],
        "subnets": ec2.describe_subnets(Filters=tag)["Subnets"],
        "route_tables": ec2.describe_route_tables(Filters=tag)["RouteTables"],
        "internet_gateways": ec2.describe_internet_gateways(Filters=tag)["InternetGateways"],
        "dhcp_options": ec2.describe_dhcp_options(Filters=tag)["DhcpOptions"],
        "addresses": ec2.describe_addresses(Filters=tag)["Addresses"],
        "nat_gateways": [n for n in ec2.describe_nat_gateways(Filter=tag)["NatGateways"] if n["State"] != "deleted"],
    }
    return {k: v for k, v in found.items() if v}


def test_a_public_cluster_network_is_created_converges_and_is_deleted(fresh) -> None:
    model = model_for("minimal-1.35", region="us-east-1")
    first = plan(model)
    assert first.changes and {c.action.value for c in first.changes} == {"create"}
    assert "VPC/minimal.example.com" in actions(first)
    assert "Subnet/us-test-1a.minimal.example.com".replace("us-test-1", "us-east-1") in actions(first)

    apply(model)
    again = plan(model)
    assert actions(again) == {}, again

    api = AWSApi("us-east-1")
    vpc = api.ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["minimal.example.com"]}])["Vpcs"][0]
    assert from_aws(vpc["Tags"])["kubernetes.io/cluster/minimal.example.com"] == "owned"
    dhcp = api.ec2.describe_dhcp_options(DhcpOptionsIds=[vpc["DhcpOptionsId"]])["DhcpOptions"][0]
    assert {"Key": "domain-name", "Values": [{"Value": "ec2.internal"}]} in dhcp["DhcpConfigurations"]
    subnet = api.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"][0]
    tags = from_aws(subnet["Tags"])
    assert tags["SubnetType"] == "Public" and tags["kubernetes.io/role/elb"] == "1"
    assert subnet["CidrBlock"] == "172.20.32.0/19" and subnet["AvailabilityZone"] == "us-east-1a"

    delete_owned(model)
    assert owned_by(api, "minimal.example.com") == {}
    assert actions(plan(model))["VPC/minimal.example.com"] == "create"
