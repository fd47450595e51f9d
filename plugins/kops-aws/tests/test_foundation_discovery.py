"""Discovery and the cloud driver's engine methods against moto: one listing per kind whatever the cluster's
size, deletion only of what the cluster owns, and the cluster's instances."""

from __future__ import annotations

import pytest
from aws_model_kit import apply, build, model_for
from kops.engine.targets.dryrun import DryRunTarget
from kops_aws.awsapi import AWSApi
from kops_aws.tags import aws_tags, cluster_tags, shared_tags
from kops_aws.testing import moto_gaps


@pytest.fixture
def fresh(aws):
    moto_gaps.fill()
    aws.reset()
    return aws


def calls_for_a_plan(case: str) -> tuple[dict[str, int], dict[str, int]]:
    model = model_for(case, region="us-east-2")
    apply(model)
    ctx = model.cloud.engine_context(model)
    plan = DryRunTarget().run(ctx, build(model))
    assert [c.label for c in plan.changes if c.action.value != "none"] == []
    return dict(ctx.cloud.calls), ctx.snapshot.calls


def test_each_kind_is_listed_once_however_many_subnets_and_groups(fresh) -> None:
    small_calls, small_listings = calls_for_a_plan("minimal-1.35")
    big_calls, big_listings = calls_for_a_plan("ha")  # three zones, three control-plane groups
    assert set(big_listings.values()) == {1}
    assert big_calls == small_calls
    assert big_calls["ec2.DescribeSubnets"] == 1 and big_calls["ec2.DescribeSecurityGroups"] == 1
    # The one per-resource lookup: the VPC's two DNS attributes, which no listing reports.
    assert {op: n for op, n in big_calls.items() if n > 1} == {"ec2.DescribeVpcAttribute": 2}


def test_owned_resources_leave_out_untagged_shared_and_other_clusters(fresh) -> None:
    api = AWSApi("us-east-2")
    model = model_for("minimal-1.35", region="us-east-2")
    apply(model)

    def vpc(tags: dict[str, str] | None) -> str:
        spec = [{"ResourceType": "vpc", "Tags": aws_tags(tags)}] if tags else []
        return api.ec2.create_vpc(CidrBlock="10.7.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]

    others = {vpc(None), vpc(shared_tags("minimal.example.com")), vpc(cluster_tags("other.example.com"))}
    ctx = model.cloud.engine_context(model)
    doomed = model.cloud.owned_resources(ctx, model)
    ids = {t.cloud_id for t in doomed}
    assert not ids & others
    kinds = {t.type_name for t in doomed}
    assert {"VPC", "Subnet", "InternetGateway", "RouteTable", "SecurityGroup", "DHCPOptions"} <= kinds
    # Deletion tasks point at each other, so dependents go first (a subnet before its VPC).
    subnet = next(t for t in doomed if t.type_name == "Subnet")
    assert subnet.vpc in doomed
