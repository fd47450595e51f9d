"""IAM against the emulator: roles, profiles and policies are created, converge, follow the spec when it
changes (a removed additional or external policy is removed from the role) and are deleted."""

from __future__ import annotations

import json

import pytest
from kops.engine import Executor
from kops.engine.plan import Action
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops_aws.model import AWSModel
from kops_aws.model.iam import BUILDER
from upstream_cases import fresh_account, model_for, run_context

ADDITIONAL = json.dumps([{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": ["*"]}])


@pytest.fixture
def iam(aws):
    return fresh_account(aws).client("iam")


def executor() -> Executor:
    return Executor(4, sleep=lambda _: None)


def test_roles_policies_and_profiles_follow_the_spec(iam) -> None:
    external = iam.create_policy(PolicyName="team-policy", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }))["Policy"]["Arn"]
    model = model_for("minimal-1.35", region="us-east-1")
    model.cluster.spec.externalPolicies = {"node": [external]}
    model.cluster.spec.additionalPolicies = {"node": ADDITIONAL}
    DirectTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model)))

    role = iam.get_role(RoleName="nodes.minimal.example.com")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert {t["Key"]: t["Value"] for t in role["Tags"]}["kubernetes.io/cluster/minimal.example.com"] == "owned"
    assert sorted(iam.list_role_policies(RoleName="nodes.minimal.example.com")["PolicyNames"]) == [
        "additional.nodes.minimal.example.com", "nodes.minimal.example.com"]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="nodes.minimal.example.com")[
        "AttachedPolicies"]] == [external]
    profile = iam.get_instance_profile(InstanceProfileName="masters.minimal.example.com")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["masters.minimal.example.com"]
    # dns-controller's permissions name the zone found in Route 53.
    zone = iam.meta.region_name and run_context(model).cloud.route53.list_hosted_zones()["HostedZones"][0]["Id"]
    master = iam.get_role_policy(RoleName="masters.minimal.example.com",
                                 PolicyName="masters.minimal.example.com")["PolicyDocument"]
    route53 = [s for s in master["Statement"] if "route53:ChangeResourceRecordSets" in s["Action"]]
    assert route53[0]["Resource"] == [f"arn:aws:route53:::hostedzone/{zone.rsplit('/', 1)[-1]}"]

    assert not DryRunTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model))).has_changes

    model.cluster.spec.externalPolicies = None
    model.cluster.spec.additionalPolicies = None
    plan = DryRunTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model)))
    assert {c.label: c.action for c in plan.changes if c.action != Action.NONE} == {
        "IAMRolePolicy/additional.nodes.minimal.example.com": Action.UPDATE,
        "IAMRolePolicyAttachments/node-policyoverride": Action.UPDATE}
    DirectTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model)))
    assert iam.list_role_policies(RoleName="nodes.minimal.example.com")["PolicyNames"] == ["nodes.minimal.example.com"]
    assert iam.list_attached_role_policies(RoleName="nodes.minimal.example.com")["AttachedPolicies"] == []
    assert not DryRunTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model))).has_changes


def test_deleting_removes_roles_with_their_policies_and_profiles(iam) -> None:
    model = model_for("minimal-1.35", region="us-east-1")
    model.cluster.spec.additionalPolicies = {"node": ADDITIONAL}
    DirectTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model)))
    iam.create_role(RoleName="unrelated.minimal.example.com", AssumeRolePolicyDocument="{}")  # not tagged: kept

    ctx = run_context(model)
    doomed = model.cloud.owned_resources(ctx, model)
    assert sorted(str(t) for t in doomed if t.type_name == "IAMRole") == [
        "IAMRole/masters.minimal.example.com", "IAMRole/nodes.minimal.example.com"]
    DirectTarget(executor()).run(ctx, [], doomed)
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["unrelated.minimal.example.com"]
    assert iam.list_instance_profiles()["InstanceProfiles"] == []


def test_names_cut_to_fit_iam_are_still_found_and_deleted(iam) -> None:
    model = model_for("minimal-longclustername", region="us-east-1")
    DirectTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model)))
    names = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    assert names == ["masters.this.is.truly.a.really.really.really.really.reall-g6fsnu",
                     "nodes.this.is.truly.a.really.really.really.really.really.-d86ibl"]
    assert not DryRunTarget(executor()).run(run_context(model), BUILDER.build(AWSModel(model))).has_changes
    ctx = run_context(model)
    DirectTarget(executor()).run(ctx, [], model.cloud.owned_resources(ctx, model))
    assert iam.list_roles()["Roles"] == [] and iam.list_instance_profiles()["InstanceProfiles"] == []
