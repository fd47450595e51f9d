"""The network model against moto: plan, apply, plan again (no changes), delete what the cluster owns."""

from __future__ import annotations

import ipaddress

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
    # Everything is created (AWS's default egress rule comes with each new security group).
    assert first.changes and {c.action.value for c in first.changes} - {"none"} == {"create"}
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


def test_private_subnets_get_a_nat_gateway_and_route_table_per_zone(fresh) -> None:
    model = model_for("privatecalico", region="us-east-2")
    apply(model)
    assert actions(plan(model)) == {}
    api = AWSApi("us-east-2")
    cluster = "privatecalico.example.com"
    subnets = {from_aws(s["Tags"])["Name"]: s for s in owned_by(api, cluster)["subnets"]}
    utility = subnets[f"utility-us-east-2a.{cluster}"]
    nat = owned_by(api, cluster)["nat_gateways"][0]
    assert nat["SubnetId"] == utility["SubnetId"] and nat["State"] == "available"
    assert from_aws(nat["Tags"])["Name"] == f"us-east-2a.{cluster}"
    tables = {from_aws(t["Tags"])["Name"]: t for t in owned_by(api, cluster)["route_tables"]}
    private = tables[f"private-us-east-2a.{cluster}"]
    assert from_aws(private["Tags"])["kubernetes.io/kops/role"] == "private-us-east-2a"
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat["NatGatewayId"]}.items() <= next(
        r for r in private["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0").items()
    assert [a["SubnetId"] for a in private["Associations"]] == [subnets[f"us-east-2a.{cluster}"]["SubnetId"]]
    assert from_aws(subnets[f"us-east-2a.{cluster}"]["Tags"])["kubernetes.io/role/internal-elb"] == "1"
    assert "kubernetes.io/role/internal-elb" not in from_aws(utility["Tags"])

    delete_owned(model)
    assert owned_by(api, cluster) == {}


def test_ipv6_subnets_are_carved_out_of_the_vpc_block(fresh) -> None:
    model = model_for("minimal-ipv6-no-subnet-prefix", region="us-east-2")
    apply(model)
    assert actions(plan(model)) == {}
    api = AWSApi("us-east-2")
    cluster = "minimal-ipv6.example.com"
    vpc = owned_by(api, cluster)["vpcs"][0]
    block = ipaddress.ip_network(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
    subnets = {from_aws(s["Tags"])["Name"]: s for s in owned_by(api, cluster)["subnets"]}
    first = subnets[f"us-east-2a.{cluster}"]  # /64#1 in the spec
    assert first["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == str(list(block.subnets(new_prefix=64))[1])
    assert "CidrBlock" not in first or not first["CidrBlock"]
    private = {from_aws(t["Tags"])["Name"]: t for t in owned_by(api, cluster)["route_tables"]}[
        f"private-us-east-2a.{cluster}"]
    destinations = {r.get("DestinationIpv6CidrBlock") for r in private["Routes"]}
    assert {"::/0", "64:ff9b::/96"} <= destinations

    delete_owned(model)
    assert owned_by(api, cluster) == {}


def test_a_shared_vpc_and_subnet_are_used_but_never_changed_or_deleted(fresh) -> None:
    api = AWSApi("us-east-2")
    vpc = api.ec2.create_vpc(CidrBlock="172.20.0.0/16")["Vpc"]["VpcId"]
    igw = api.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    api.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    theirs = api.ec2.create_subnet(VpcId=vpc, CidrBlock="172.20.64.0/19", AvailabilityZone="us-east-2b",
                                   TagSpecifications=[{"ResourceType": "subnet",
                                                       "Tags": [{"Key": "team", "Value": "net"}]}])["Subnet"]

    def edit(cluster: dict) -> None:
        cluster["spec"]["networkID"] = vpc
        cluster["spec"]["subnets"].append({"name": "theirs", "zone": "us-east-2b", "type": "Public",
                                           "id": theirs["SubnetId"], "cidr": "172.20.64.0/19"})

    model = model_for("shared_vpc", region="us-east-2", edit=edit)
    first = actions(plan(model))
    assert "VPC/sharedvpc.example.com" not in first and "Subnet/theirs.sharedvpc.example.com" not in first
    assert first["Subnet/us-east-2a.sharedvpc.example.com"] == "create"
    apply(model)
    assert actions(plan(model)) == {}
    table = api.ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": ["sharedvpc.example.com"]}])[
        "RouteTables"][0]
    assert any(r.get("GatewayId") == igw for r in table["Routes"])

    delete_owned(model)
    assert api.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0].get("Tags", []) == []
    assert api.ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Attachments"]
    after = api.ec2.describe_subnets(SubnetIds=[theirs["SubnetId"]])["Subnets"][0]
    assert from_aws(after["Tags"]) == {"team": "net"}
    assert owned_by(api, "sharedvpc.example.com") == {}


def test_additional_network_cidrs_are_associated_before_their_subnets(fresh) -> None:
    def edit(cluster: dict) -> None:
        cluster["spec"]["additionalNetworkCIDRs"] = ["10.1.0.0/16"]
        cluster["spec"]["subnets"].append({"name": "extra", "zone": "us-east-2b", "type": "Public",
                                           "cidr": "10.1.32.0/19"})

    model = model_for("minimal-1.35", region="us-east-2", edit=edit)
    apply(model)
    assert actions(plan(model)) == {}
    api = AWSApi("us-east-2")
    vpc = owned_by(api, "minimal.example.com")["vpcs"][0]
    assert "10.1.0.0/16" in {a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]
                             if a["CidrBlockState"]["State"] == "associated"}
    delete_owned(model)
    assert owned_by(api, "minimal.example.com") == {}
