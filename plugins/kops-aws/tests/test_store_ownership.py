"""One cluster, one state store: resources carry the store's ID, a namesake spec in another store cannot touch
them, resources an older kops made are adopted, and ``--claim`` takes over after a lost store. Also: the plan of a
run is what its apply does, and a second apply changes nothing. Against the AWS emulator, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from cli_kit import ZONES, create, kops, owned_anything, owned_vpcs
from kops.ownership import STORE_TAG


def store_id(lab: dict, store: str | None = None) -> str:
    root = Path((store or lab["env"]["KOPS_STATE_STORE"]).removeprefix("file://"))
    return (root / lab["name"] / "store-id").read_text().strip()


def test_a_namesake_in_another_store_cannot_touch_the_cluster(lab, tmp_path):
    create(lab)
    kops(lab, "update", "cluster", lab["name"], "--yes")
    ours = store_id(lab)
    vpc = owned_vpcs(lab["name"])[0]
    assert {"Key": STORE_TAG, "Value": ours} in vpc["Tags"]

    other = f"file://{tmp_path}/other-store"
    kops(lab, "create", "cluster", lab["name"], "--cloud", "aws", "--zones", ZONES, "--networking", "calico",
         "--image", lab["image"], "--state", other)
    theirs = store_id(lab, other)
    assert theirs != ours
    for args in (["update", "cluster", lab["name"]], ["update", "cluster", lab["name"], "--yes"],
                 ["delete", "cluster", lab["name"], "--yes"]):
        refused = kops(lab, *args, "--state", other, check=False)
        assert refused.returncode == 1, refused.stdout
        error = refused.stderr.strip().splitlines()[-1]
        assert f"another state store (ID {ours}" in error and "--claim" in error and "Traceback" not in refused.stderr
    assert [v["VpcId"] for v in owned_vpcs(lab["name"])] == [vpc["VpcId"]]
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0

    # The first store is lost: the second one claims the cluster's resources and deletes them.
    claimed = kops(lab, "delete", "cluster", lab["name"], "--state", other, "--claim")
    assert f"made from the state store with ID {ours} are deleted" in claimed.stderr
    kops(lab, "delete", "cluster", lab["name"], "--yes", "--state", other, "--claim")
    assert owned_anything(lab["name"]) == []


def strip_store_tags(cluster: str) -> int:
    """Remove the store ID from every resource of the cluster, as an older kops (or upstream kOps) made them."""
    region = {"region_name": "us-east-1"}
    owner = f"kubernetes.io/cluster/{cluster}"
    ec2 = boto3.client("ec2", **region)
    tagged = [t["ResourceId"] for t in ec2.describe_tags(Filters=[{"Name": "key", "Values": [STORE_TAG]}])["Tags"]
              if any(x["Key"] == owner for x in ec2.describe_tags(
                  Filters=[{"Name": "resource-id", "Values": [t["ResourceId"]]}])["Tags"])]
    if tagged:
        ec2.delete_tags(Resources=tagged, Tags=[{"Key": STORE_TAG}])
    asg = boto3.client("autoscaling", **region)
    groups = [g for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
              if any(t["Key"] == owner for t in g["Tags"])]
    for g in groups:
        asg.delete_tags(Tags=[{"ResourceId": g["AutoScalingGroupName"], "ResourceType": "auto-scaling-group",
                               "Key": STORE_TAG}])
    elb = boto3.client("elbv2", **region)
    arns = [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]]
    arns += [tg["TargetGroupArn"] for tg in elb.describe_target_groups()["TargetGroups"]]
    for d in elb.describe_tags(ResourceArns=arns)["TagDescriptions"] if arns else []:
        if any(t["Key"] == owner for t in d["Tags"]):
            elb.remove_tags(ResourceArns=[d["ResourceArn"]], TagKeys=[STORE_TAG])
    iam = boto3.client("iam", **region)
    for role in iam.list_roles()["Roles"]:
        if any(t["Key"] == owner for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]):
            iam.untag_role(RoleName=role["RoleName"], TagKeys=[STORE_TAG])
    for listed in iam.list_instance_profiles()["InstanceProfiles"]:
        profile = iam.get_instance_profile(InstanceProfileName=listed["InstanceProfileName"])["InstanceProfile"]
        if any(t["Key"] == owner for t in profile.get("Tags", [])):
            iam.untag_instance_profile(InstanceProfileName=profile["InstanceProfileName"], TagKeys=[STORE_TAG])
    sqs = boto3.client("sqs", **region)
    for url in sqs.list_queues().get("QueueUrls", []):
        if owner in sqs.list_queue_tags(QueueUrl=url).get("Tags", {}):
            sqs.untag_queue(QueueUrl=url, TagKeys=[STORE_TAG])
    events = boto3.client("events", **region)
    for rule in events.list_rules()["Rules"]:
        tags = events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
        if any(t["Key"] == owner for t in tags):
            events.untag_resource(ResourceARN=rule["Arn"], TagKeys=[STORE_TAG])
    return len(tagged) + len(groups)


def test_resources_an_older_kops_made_are_adopted_and_tagged(lab, tmp_path):
    create(lab)
    kops(lab, "update", "cluster", lab["name"], "--yes")
    # (The emulator keeps launch templates' tags where EC2's DeleteTags does not reach, so those keep theirs.)
    assert strip_store_tags(lab["name"]) > 10
    plan = kops(lab, "update", "cluster", lab["name"])
    assert "carry no state-store ID (made by an older kops or by upstream kOps)" in plan.stdout
    new_id = store_id(lab)
    assert f"this update tags them with this store's ID {new_id}" in plan.stdout
    kops(lab, "update", "cluster", lab["name"], "--yes")
    replan = kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False)
    assert replan.returncode == 0 and "state-store ID" not in replan.stdout, replan.stdout
    assert {"Key": STORE_TAG, "Value": new_id} in owned_vpcs(lab["name"])[0]["Tags"]
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    assert owned_anything(lab["name"]) == []


def test_the_plan_is_what_the_apply_does_and_a_second_apply_changes_nothing(lab, s3_bucket):
    lab["env"]["KOPS_STATE_STORE"] = f"s3://{s3_bucket}"
    create(lab, "--control-plane-zones", ZONES + ",us-east-1c", "--topology", "private", "--bastion")
    planned = kops(lab, "update", "cluster", lab["name"], "-o", "json")
    changes = json.loads(planned.stdout)["changes"]
    assert any(c["type"] == "ManagedFile" and c["name"].endswith("nodeupconfig.yaml") for c in changes)
    applied = kops(lab, "update", "cluster", lab["name"], "--yes", "-o", "json")
    # The same changes in the same order; only the control plane's nodeup configuration and user data differ, by the
    # API load balancer's addresses, which a plan of a dns: none cluster cannot know yet (and says so).
    plan, done = json.loads(planned.stdout)["changes"], json.loads(applied.stdout)["changes"]
    assert [(c["action"], c["type"], c["name"]) for c in done] == [(c["action"], c["type"], c["name"]) for c in plan]
    differing = [f"{c['type']}/{c['name']}" for c, d in zip(plan, done, strict=True) if c != d]
    assert differing and all("control-plane" in d or "master" in d for d in differing), differing
    assert "Connection pool is full" not in applied.stderr
    text = kops(lab, "update", "cluster", lab["name"], "--yes")
    assert "No changes." in text.stdout and "to add" not in text.stdout
    assert kops(lab, "update", "cluster", lab["name"], "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", lab["name"], "--yes")
    assert owned_anything(lab["name"]) == []


def test_plan_and_apply_print_the_same_summary_line(lab):
    create(lab)
    planned = kops(lab, "update", "cluster", lab["name"])
    applied = kops(lab, "update", "cluster", lab["name"], "--yes")
    summary = [line for line in planned.stdout.splitlines() if line.startswith("Plan: ")]
    assert summary and summary == [line for line in applied.stdout.splitlines() if line.startswith("Plan: ")]
    kops(lab, "delete", "cluster", lab["name"], "--yes")
