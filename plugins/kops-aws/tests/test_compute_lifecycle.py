"""Whole clusters from upstream's cases against the emulator: plan, apply, plan again (nothing left to do),
instances running, then delete everything the cluster owns and find nothing left."""

from __future__ import annotations

import base64
from collections import Counter

import pytest
from kops.api.common import WarmPoolSpec
from kops.engine import Executor
from kops.engine.plan import Action
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops_aws.model import build_all
from upstream_cases import fresh_account, model_for, run_context, seed_images

# Public and private topologies, DNS or none (kops-controller behind the API load balancer), a bastion,
# mixed instance types and several control-plane groups.
CASES = ["minimal-1.35", "minimal-dns-none", "privatecilium", "mixed_instances"]


def executor() -> Executor:
    return Executor(8, sleep=lambda _: None)


@pytest.fixture
def clients(aws):
    session = fresh_account(aws)
    return {name: session.client(name) for name in ("ec2", "autoscaling", "iam", "elbv2", "sqs", "events", "s3")}


def prepared(case: str, clients) -> tuple:
    model = model_for(case, region="us-east-1", state_url="s3://kops-state/clusters")
    seed_images(clients["ec2"], model)
    return model, build_all(model)


@pytest.mark.parametrize("case", CASES)
def test_apply_converges_and_delete_leaves_nothing(case: str, clients) -> None:
    model, tasks = prepared(case, clients)
    first = DryRunTarget(executor()).run(run_context(model), tasks)
    assert first.has_changes and all(c.action in (Action.CREATE, Action.NONE) for c in first.changes)

    DirectTarget(executor()).run(run_context(model), tasks)
    again = DryRunTarget(executor()).run(run_context(model), build_all(model))
    assert not again.has_changes, again.render_text()

    # Every group's Auto Scaling group launched its instances from its template: all up to date.
    groups = model.cloud.cloud_groups(model.cluster, model.instance_groups)
    assert [g.name for g in groups] == [g.metadata.name for g in model.instance_groups]
    instances = [i for g in groups for i in g.instances]
    assert {g.name for g in groups if g.instances} == {g.metadata.name for g in model.instance_groups}
    assert {(i.state, i.status) for i in instances} == {("running", "UpToDate")}

    ctx = run_context(model)
    doomed = model.cloud.owned_resources(ctx, model)
    DirectTarget(executor()).run(ctx, [], doomed)
    assert model.cloud.owned_resources(run_context(model), model) == []
    ec2 = clients["ec2"]
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    tagged = [{"Name": "tag-key", "Values": [f"kubernetes.io/cluster/{model.cluster_name}"]}]
    assert ec2.describe_volumes(Filters=tagged)["Volumes"] == []  # etcd's, and the instances' with them
    assert clients["autoscaling"].describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert clients["elbv2"].describe_load_balancers()["LoadBalancers"] == []
    assert [r for r in clients["iam"].list_roles()["Roles"] if r["RoleName"].endswith(model.cluster_name)] == []
    assert clients["sqs"].list_queues().get("QueueUrls", []) == []


def test_launch_templates_require_imdsv2_and_encrypt_root_volumes(clients) -> None:
    model, tasks = prepared("minimal-1.35", clients)
    images = {i["ImageId"]: i for i in clients["ec2"].describe_images(Owners=["self"])["Images"]}
    DirectTarget(executor()).run(run_context(model), tasks)
    ec2 = clients["ec2"]
    templates = {t["LaunchTemplateName"]: t for t in ec2.describe_launch_templates()["LaunchTemplates"]}
    assert sorted(templates) == ["master-us-east-1a.masters.minimal.example.com", "nodes.minimal.example.com"]
    sizes = {"master-us-east-1a.masters.minimal.example.com": (64, 3), "nodes.minimal.example.com": (128, 1)}
    for name, template in templates.items():
        data = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"],
                                                    Versions=["$Latest"])["LaunchTemplateVersions"][0][
            "LaunchTemplateData"]
        assert data["MetadataOptions"]["HttpTokens"] == "required"
        assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == sizes[name][1]
        root = next(b for b in data["BlockDeviceMappings"]
                    if b["DeviceName"] == images[data["ImageId"]]["RootDeviceName"])
        assert root["Ebs"] == {"Encrypted": True, "DeleteOnTermination": True, "Iops": 3000, "Throughput": 125,
                               "VolumeSize": sizes[name][0], "VolumeType": "gp3"}
        assert base64.b64decode(data["UserData"]).decode() == model.user_data[name.split(".")[0]]
        assert data["IamInstanceProfile"]["Name"] == (
            "masters.minimal.example.com" if "master" in name else "nodes.minimal.example.com")
        assert data["KeyName"] == "kubernetes.minimal.example.com-c4:a6:ed:9a:a8:89:b9:e2:c3:9c:d6:63:eb:9c:71:57"
        tags = {t["Key"]: t["Value"] for t in data["TagSpecifications"][0]["Tags"]}
        assert tags["kubernetes.io/cluster/minimal.example.com"] == "owned"
        assert tags["kops.k8s.io/instancegroup"] == name.split(".")[0]


def test_a_changed_group_makes_a_new_template_version_and_updates_its_group(clients) -> None:
    model, tasks = prepared("minimal-1.35", clients)
    DirectTarget(executor()).run(run_context(model), tasks)
    nodes = next(g for g in model.instance_groups if g.metadata.name == "nodes")
    nodes.spec.machineType = "t3.large"
    nodes.spec.maxSize = 3
    plan = DryRunTarget(executor()).run(run_context(model), build_all(model))
    changed = {c.label: sorted(c.fields) for c in plan.changes if c.action != Action.NONE}
    assert changed == {"AutoscalingGroup/nodes.minimal.example.com": ["max_size"],
                       "LaunchTemplate/nodes.minimal.example.com": ["instance_type"]}
    DirectTarget(executor()).run(run_context(model), build_all(model))
    assert not DryRunTarget(executor()).run(run_context(model), build_all(model)).has_changes
    template = clients["ec2"].describe_launch_templates(LaunchTemplateNames=["nodes.minimal.example.com"])[
        "LaunchTemplates"][0]
    assert template["LatestVersionNumber"] == template["DefaultVersionNumber"] == 2
    group = clients["autoscaling"].describe_auto_scaling_groups(AutoScalingGroupNames=["nodes.minimal.example.com"])[
        "AutoScalingGroups"][0]
    assert group["MaxSize"] == 3 and group["LaunchTemplate"]["Version"] == "$Latest"


def test_an_instance_profile_auto_scaling_cannot_see_yet_is_waited_for() -> None:
    from botocore.exceptions import ClientError
    from kops_aws.awsapi import AWS_ERRORS, NotYetVisible
    from kops_aws.tasks.autoscaling_group import _profile_not_visible

    refused = ClientError({"Error": {"Code": "ValidationError", "Message": "You must use a valid fully-formed launch "
                           "template. Invalid IAM Instance Profile name"}}, "CreateAutoScalingGroup")
    assert _profile_not_visible(refused) and AWS_ERRORS.transient(NotYetVisible("later"))
    other = ClientError({"Error": {"Code": "ValidationError", "Message": "MinSize must be <= MaxSize"}}, "Op")
    assert not _profile_not_visible(other)


def replan_calls(clients, groups: int) -> Counter:
    """API calls of a plan that finds nothing to do, for a cluster with ``groups`` node groups."""
    model = model_for("minimal-1.35", region="us-east-1", state_url="s3://kops-state/clusters")
    nodes = next(g for g in model.instance_groups if g.metadata.name == "nodes")
    for i in range(1, groups):
        extra = nodes.model_copy(deep=True)
        extra.metadata.name = f"nodes-{i}"
        model.instance_groups.append(extra)
        model.user_data[extra.metadata.name] = model.user_data["nodes"]
    seed_images(clients["ec2"], model)
    DirectTarget(executor()).run(run_context(model), build_all(model))
    ctx = run_context(model)
    assert not DryRunTarget(executor()).run(ctx, build_all(model)).has_changes
    calls = Counter(ctx.cloud.calls)
    DirectTarget(executor()).run(ctx, [], model.cloud.owned_resources(ctx, model))
    return calls


def test_planning_calls_grow_with_resource_types_not_groups(clients) -> None:
    few, many = replan_calls(clients, 2), replan_calls(clients, 20)
    grown = {call: many[call] - few[call] for call in many if many[call] != few[call]}
    # Everything is listed once per run whatever the number of groups (pages of a listing aside); lifecycle
    # hooks, which Auto Scaling lists only one group at a time, are read from their groups' tags.
    assert grown == {}
    assert "autoscaling.DescribeLifecycleHooks" not in many


def test_a_warm_pool_and_its_launch_hook_come_and_go_with_the_spec(clients) -> None:
    model, tasks = prepared("minimal-warmpool", clients)
    DirectTarget(executor()).run(run_context(model), tasks)
    asg = clients["autoscaling"]
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["nodes.minimal-warmpool.example.com"])[
        "AutoScalingGroups"][0]
    assert group["WarmPoolConfiguration"]["MaxGroupPreparedCapacity"] == 1
    hooks = asg.describe_lifecycle_hooks(AutoScalingGroupName="nodes.minimal-warmpool.example.com")["LifecycleHooks"]
    assert sorted((h["LifecycleHookName"], h["LifecycleTransition"], h["DefaultResult"]) for h in hooks) == [
        ("kops-warmpool", "autoscaling:EC2_INSTANCE_LAUNCHING", "ABANDON"),
        ("nodes-NTHLifecycleHook", "autoscaling:EC2_INSTANCE_TERMINATING", "CONTINUE")]
    assert not DryRunTarget(executor()).run(run_context(model), build_all(model)).has_changes

    # The pool is the cluster's default; the group turns it off for itself.
    next(g for g in model.instance_groups if g.metadata.name == "nodes").spec.warmPool = WarmPoolSpec(maxSize=0)
    plan = DryRunTarget(executor()).run(run_context(model), build_all(model))
    assert {c.label: sorted(c.fields) for c in plan.changes if c.action != Action.NONE} == {
        "AutoscalingGroup/nodes.minimal-warmpool.example.com": ["metrics", "warm_pool"],
        "AutoscalingLifecycleHook/kops-warmpool-nodes": ["enabled"]}
    DirectTarget(executor()).run(run_context(model), build_all(model))
    hooks = asg.describe_lifecycle_hooks(AutoScalingGroupName="nodes.minimal-warmpool.example.com")["LifecycleHooks"]
    assert [h["LifecycleHookName"] for h in hooks] == ["nodes-NTHLifecycleHook"]
    assert not DryRunTarget(executor()).run(run_context(model), build_all(model)).has_changes


def test_cloud_groups_tell_which_instances_run_their_groups_current_configuration(clients) -> None:
    """Up to date while launched from the launch template version the group launches from now; a new version
    (anything an instance boots with changed) makes them need an update; a detached instance stays listed."""
    model, tasks = prepared("minimal-1.35", clients)
    DirectTarget(executor()).run(run_context(model), tasks)
    groups = {g.name: g for g in model.cloud.cloud_groups(model.cluster, model.instance_groups)}
    nodes = groups["nodes"]
    assert (nodes.min_size, nodes.max_size, nodes.target_size, len(nodes.instances)) == (1, 1, 1, 1)
    assert {(i.status, i.role, i.instance_group) for i in nodes.instances} == {("UpToDate", "Node", "nodes")}
    first = nodes.instances[0]
    assert first.provider_id == f"aws:///{first.zone}/{first.id}" and first.internal_ip and first.machine_type

    ec2 = clients["ec2"]
    template = ec2.describe_launch_templates(LaunchTemplateNames=["nodes.minimal.example.com"])["LaunchTemplates"][0]
    ec2.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"], SourceVersion="1",
                                       LaunchTemplateData={"InstanceType": "t3.large"})
    again = {g.name: g for g in model.cloud.cloud_groups(model.cluster, model.instance_groups)}
    assert {i.status for i in again["nodes"].instances} == {"NeedsUpdate"}
    assert {i.status for g in again.values() if g.name != "nodes" for i in g.instances} == {"UpToDate"}

    model.cloud.detach_instance(again["nodes"].instances[0])
    detached = {g.name: g for g in model.cloud.cloud_groups(model.cluster, model.instance_groups)}["nodes"]
    assert [i.id for i in detached.instances if i.detached] == [again["nodes"].instances[0].id]
