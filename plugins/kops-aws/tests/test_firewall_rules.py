"""Security groups and rules against moto: upstream's layout, convergence, revoking what the spec dropped,
and groups the user owns left alone."""

from __future__ import annotations

from typing import Any

import hcl2
import pytest
from aws_model_kit import actions, apply, build, delete_owned, model_for, plan
from kops.engine.targets.terraform import TerraformTarget
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


def terraform_rules(case: str) -> dict[str, dict]:
    """The case's security group rules as Terraform writes them, by resource name."""
    model = model_for(case, target="terraform")
    files = TerraformTarget(None, model.cloud.terraform_writer(model)).run(model.cloud.engine_context(model),
                                                                           build(model))
    parsed = unquoted(hcl2.loads(files["kubernetes.tf"].decode()))
    return {name: attrs for block in parsed["resource"] for type_, named in block.items()
            if type_ == "aws_security_group_rule" for name, attrs in named.items()}


def unquoted(value: Any) -> Any:
    """hcl2's parse with string literals' quotes removed (this version keeps them)."""
    if isinstance(value, dict):
        return {unquoted(k): unquoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unquoted(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def test_terraform_rules_say_what_they_allow_and_load_balancers_reach_only_the_vpc() -> None:
    rules = terraform_rules("privatecalico")
    assert all(r.get("description") for r in rules.values()), [n for n, r in rules.items() if not r.get("description")]
    ssh = rules["from-0-0-0-0--0-ingress-tcp-22to22-bastion-elb-privatecalico-example-com"]
    assert ssh["description"] == "SSH from 0.0.0.0/0 to the bastion load balancer"
    assert rules["https-elb-to-master"]["description"] == "HTTPS from the API load balancer to the control plane"
    egress = {n: r for n, r in rules.items() if r["type"] == "egress"}
    for lb in ("api-elb", "bastion-elb"):
        mine = [r for n, r in egress.items() if n.startswith(f"from-{lb}-")]
        assert [(r.get("cidr_blocks"), r.get("ipv6_cidr_blocks")) for r in mine] == [(["172.20.0.0/16"], None)]
    nodes = [r for n, r in egress.items() if n.startswith("from-nodes-")]
    assert [r.get("cidr_blocks") for r in nodes] == [["0.0.0.0/0"]]


def test_ipv4_only_clusters_get_no_ipv6_rules_and_ipv6_clusters_keep_them() -> None:
    ipv4 = terraform_rules("privatecalico")
    assert not [n for n, r in ipv4.items() if r["type"] == "egress" and r.get("ipv6_cidr_blocks")]
    assert not [n for n, r in ipv4.items() if r.get("protocol") == "icmpv6"]
    ipv6 = terraform_rules("minimal-ipv6-calico")
    assert any(r["type"] == "egress" and r.get("ipv6_cidr_blocks") == ["::/0"] for r in ipv6.values())


def test_applied_groups_match_terraform_egress_and_carry_descriptions(fresh) -> None:
    """Direct apply revokes AWS's default allow-all egress where Terraform writes none, and converges."""
    model = model_for("privatecalico", region="us-east-1")
    apply(model)
    assert actions(plan(model)) == {}
    api = AWSApi("us-east-1")
    cluster = "privatecalico.example.com"
    for name in (f"api-elb.{cluster}", f"bastion-elb.{cluster}"):
        egress = {p for p in permissions_of(group(api, name)) if p[0]}
        assert egress == {(True, "-1", None, None, "cidr", "172.20.0.0/16")}, name
    nodes = group(api, f"nodes.{cluster}")
    assert {p for p in permissions_of(nodes) if p[0]} == {(True, "-1", None, None, "cidr", "0.0.0.0/0")}
    bastion_lb = group(api, f"bastion-elb.{cluster}")
    ssh = next(p for p in bastion_lb["IpPermissions"] if p.get("FromPort") == 22)
    assert {r["CidrIp"]: r.get("Description") for r in ssh["IpRanges"]}["0.0.0.0/0"] == (
        "SSH from 0.0.0.0/0 to the bastion load balancer")
