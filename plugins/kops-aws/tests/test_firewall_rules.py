"""Security groups and rules against moto: upstream's layout, convergence, revoking what the spec dropped,
and groups the user owns left alone."""

from __future__ import annotations

import pytest
from aws_model_kit import actions, apply, build, delete_owned, model_for, plan
from kops_aws.awsapi import AWSApi
from kops_aws.tasks.security_group import permissions_of
from kops_aws.testing import moto_gaps

CLUSTER = "minimal.example.com"


@pytest.fixture
def fresh(aws):
    moto_gaps.fill()
    aws.reset()
    return aws


def group(api: AWSApi, name: str) -> dict:
    return api.ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"][0]


def test_groups_and_rules_follow_upstream_and_converge(fresh) -> None:
    model = model_for("minimal-1.35", region="us-east-1")
    apply(model)
    assert actions(plan(model)) == {}
    api = AWSApi("us-east-1")
    masters, nodes = group(api, f"masters.{CLUSTER}"), group(api, f"nodes.{CLUSTER}")
    assert masters["Description"] == "Security group for masters"
    granted = set(permissions_of(masters))
    assert (False, "tcp", 22, 22, "cidr", "0.0.0.0/0") in granted
    assert (False, "tcp", 443, 443, "ipv6_cidr", "::/0") in granted
    assert (False, "tcp", 2382, 4000, "source_group", nodes["GroupId"]) in granted
    assert not any(p[4] == "source_group" and p[5] == nodes["GroupId"] and p[2] <= 4001 <= p[3]
                   for p in granted if p[1] == "tcp"), "nodes must not reach etcd"
    assert (True, "-1", None, None, "cidr", "0.0.0.0/0") in granted
    assert (False, "-1", None, None, "source_group", masters["GroupId"]) in set(permissions_of(nodes))


def test_access_removed_from_the_spec_is_revoked(fresh) -> None:
    apply(model_for("minimal-1.35", region="us-east-1"))
    narrowed = model_for("minimal-1.35", region="us-east-1",
                         edit=lambda c: c["spec"].update(sshAccess=["10.0.0.0/8"]))
    changes = actions(plan(narrowed))
    assert changes[f"SecurityGroup/masters.{CLUSTER}"] == "update"
    assert changes[f"SecurityGroupRule/from-10.0.0.0/8-ingress-tcp-22to22-masters.{CLUSTER}"] == "create"
    apply(narrowed)
    assert actions(plan(narrowed)) == {}
    ssh = {p for p in permissions_of(group(AWSApi("us-east-1"), f"nodes.{CLUSTER}")) if p[2] == 22}
    assert ssh == {(False, "tcp", 22, 22, "cidr", "10.0.0.0/8")}


def test_a_users_security_group_is_used_but_never_changed_or_deleted(fresh) -> None:
    api = AWSApi("us-east-1")
    vpc = api.ec2.create_vpc(CidrBlock="172.20.0.0/16")["Vpc"]["VpcId"]
    igw = api.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    api.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    mine = api.ec2.create_security_group(GroupName="custom-masters", Description="the user's", VpcId=vpc)["GroupId"]
    before = group(api, "custom-masters")

    def edit(cluster: dict) -> None:
        cluster["spec"]["networkID"] = vpc

    model = model_for("minimal-1.35", region="us-east-1", edit=edit)
    for ig in model.instance_groups:
        if ig.spec.role == "Master":
            ig.spec.securityGroupOverride = mine
    tasks = build(model)
    names = {t.name for t in tasks}
    assert f"{mine}-ControlPlane" in names and f"masters.{CLUSTER}" not in names
    apply(model, tasks)
    assert actions(plan(model)) == {}
    delete_owned(model)
    after = group(api, "custom-masters")
    assert after["Description"] == before["Description"] and after.get("Tags", []) == before.get("Tags", [])
    assert api.ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]
    assert api.ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"][0]["Attachments"]
    assert not api.ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"nodes.{CLUSTER}"]}])[
        "SecurityGroups"]
