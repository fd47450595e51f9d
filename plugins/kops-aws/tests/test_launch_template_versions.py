"""Auto Scaling groups launching from a launch template's later versions, on the emulator as AWS behaves
(:mod:`kops_aws.testing.moto_gaps`): a group launches from a new version with its own user data, and each instance
is reported at the version it launched from, before a rolling update and after it."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cli_kit import create, kops


@pytest.fixture
def ec2_and_asg(aws):
    import boto3
    from kops_aws.testing import moto_gaps

    moto_gaps.fill()
    return boto3.client("ec2", region_name="us-east-1"), boto3.client("autoscaling", region_name="us-east-1")


def user_data(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def group_with_template(ec2, asg, version: str) -> tuple[str, str]:
    """A launch template at version 1 with user data, and a group of one launching from ``version``."""
    image = ec2.register_image(Name=f"img-{uuid.uuid4().hex[:8]}", RootDeviceName="/dev/sda1")["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    template = ec2.create_launch_template(
        LaunchTemplateName=f"lt-{uuid.uuid4().hex[:8]}",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro", "UserData": user_data("#!/bin/sh\none")},
    )["LaunchTemplate"]["LaunchTemplateId"]
    name = f"group-{uuid.uuid4().hex[:8]}"
    asg.create_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, MaxSize=4, DesiredCapacity=1,
                                  LaunchTemplate={"LaunchTemplateId": template, "Version": version},
                                  VPCZoneIdentifier=subnet["SubnetId"])
    return template, name


def new_version(ec2, template: str, text: str) -> str:
    image = ec2.describe_launch_template_versions(LaunchTemplateId=template)["LaunchTemplateVersions"][0][
        "LaunchTemplateData"]["ImageId"]
    created = ec2.create_launch_template_version(
        LaunchTemplateId=template,
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.small", "UserData": user_data(text)})
    return str(created["LaunchTemplateVersion"]["VersionNumber"])


def launched_versions(ec2, asg, group: str) -> dict[str, tuple[str, str, str]]:
    """Each instance's version as DescribeAutoScalingGroups, DescribeAutoScalingInstances and its EC2 tag say."""
    members = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"]
    ids = [m["InstanceId"] for m in members]
    listed = {i["InstanceId"]: i["LaunchTemplate"]["Version"]
              for i in asg.describe_auto_scaling_instances(InstanceIds=ids)["AutoScalingInstances"]}
    tagged = {i["InstanceId"]: {t["Key"]: t["Value"] for t in i["Tags"]}["aws:ec2launchtemplate:version"]
              for r in ec2.describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]}
    return {m["InstanceId"]: (m["LaunchTemplate"]["Version"], listed[m["InstanceId"]], tagged[m["InstanceId"]])
            for m in members}


@pytest.mark.parametrize("launches_from", ["$Latest", "2"])
def test_a_group_launches_from_a_new_version_with_its_user_data(ec2_and_asg, launches_from):
    ec2, asg = ec2_and_asg
    template, group = group_with_template(ec2, asg, "$Latest")
    assert new_version(ec2, template, "#!/bin/sh\ntwo") == "2"
    asg.update_auto_scaling_group(AutoScalingGroupName=group,
                                  LaunchTemplate={"LaunchTemplateId": template, "Version": launches_from})
    asg.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=2)
    members = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"]
    assert len(members) == 2
    booted = {base64.b64decode(ec2.describe_instance_attribute(InstanceId=m["InstanceId"], Attribute="userData")[
        "UserData"]["Value"]).decode() for m in members}
    assert booted == {"#!/bin/sh\none", "#!/bin/sh\ntwo"}
    shown = ec2.describe_launch_template_versions(LaunchTemplateId=template, Versions=["2"])["LaunchTemplateVersions"]
    assert base64.b64decode(shown[0]["LaunchTemplateData"]["UserData"]).decode() == "#!/bin/sh\ntwo"


def test_instances_report_the_version_they_launched_from(ec2_and_asg):
    ec2, asg = ec2_and_asg
    template, group = group_with_template(ec2, asg, "$Latest")
    (first,) = launched_versions(ec2, asg, group)
    new_version(ec2, template, "#!/bin/sh\ntwo")
    asg.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=2)
    versions = launched_versions(ec2, asg, group)
    (second,) = set(versions) - {first}
    assert versions == {first: ("1", "1", "1"), second: ("2", "2", "2")}
    # Making the new version the default changes what the group launches from, not what instances launched from.
    ec2.modify_launch_template(LaunchTemplateId=template, DefaultVersion="2")
    new_version(ec2, template, "#!/bin/sh\nthree")
    assert launched_versions(ec2, asg, group) == versions


def test_default_version_is_resolved_at_launch(ec2_and_asg):
    ec2, asg = ec2_and_asg
    template, group = group_with_template(ec2, asg, "$Default")
    new_version(ec2, template, "#!/bin/sh\ntwo")
    asg.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=2)
    assert sorted(launched_versions(ec2, asg, group).values()) == [("1", "1", "1")] * 2
    ec2.modify_launch_template(LaunchTemplateId=template, DefaultVersion="2")
    asg.set_desired_capacity(AutoScalingGroupName=group, DesiredCapacity=3)
    assert sorted(launched_versions(ec2, asg, group).values()) == [("1", "1", "1")] * 2 + [("2", "2", "2")]


def statuses(lab) -> dict[str, tuple[str, str, str]]:
    """``kops get instances``: each instance's group, machine type and status."""
    listed = json.loads(kops(lab, "get", "instances", lab["name"], "-o", "json").stdout)
    return {i["id"]: (i["instanceGroup"], i["machineType"], i["status"]) for i in listed}


def test_instances_launched_from_the_new_version_are_up_to_date(lab):
    """A changed group's instances need updating; one its group launches afterwards does not, nor do others."""
    import boto3

    create(lab, "--node-size", "t3.medium")
    kops(lab, "update", "cluster", lab["name"], "--yes")
    before = statuses(lab)
    assert before and {status for _, _, status in before.values()} == {"UpToDate"}
    kops(lab, "edit", "ig", "--name", lab["name"], "nodes-us-east-1a", "--set", "spec.machineType=t3.large")
    kops(lab, "update", "cluster", lab["name"], "--yes")
    changed = statuses(lab)
    assert changed == {i: (g, t, "NeedsUpdate" if g == "nodes-us-east-1a" else "UpToDate")
                       for i, (g, t, _) in before.items()}
    (old,) = [i for i, (g, _, _) in changed.items() if g == "nodes-us-east-1a"]
    # The group replaces a terminated instance from the version it launches from now: the new machine type.
    boto3.client("autoscaling", region_name="us-east-1").terminate_instance_in_auto_scaling_group(
        InstanceId=old, ShouldDecrementDesiredCapacity=False)
    after = statuses(lab)
    (replacement,) = set(after) - set(changed)
    assert after == {**{i: s for i, s in changed.items() if i != old},
                     replacement: ("nodes-us-east-1a", "t3.large", "UpToDate")}
    kops(lab, "delete", "cluster", lab["name"], "--yes")
