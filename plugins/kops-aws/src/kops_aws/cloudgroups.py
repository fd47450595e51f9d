"""A running cluster on AWS, for day-2 operations: each instance group's Auto Scaling group and its instances.

An instance is up to date when it was launched from the version of its launch template the group launches from
now (upstream's rule): ``kops update cluster`` writes a new version whenever anything an instance boots with
changes (image, type, user data), so every older instance needs replacing. An instance detached from its group
(a rolling update's surge) still carries the group's tag and is listed as detached until it is terminated.
"""

from __future__ import annotations

from typing import Any

from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.model import role_of

from kops_aws.awsapi import AWSApi
from kops_aws.discovery import ec2_tagged
from kops_aws.instancegroups import asg_name
from kops_aws.naming import name32
from kops_aws.tags import TAG_INSTANCE_GROUP, from_aws, is_owned
from kops_aws.tasks.autoscaling_group import list_groups
from kops_aws.tasks.load_balancer import list_load_balancers

#: Instance states of a machine that still counts (one shutting down or terminated is gone: a rolling update run again
#: must not end it twice).
LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def cloud_groups(api: AWSApi, cluster: Any, instance_groups: list[Any]) -> list[CloudInstanceGroup]:
    name = cluster.metadata.name
    groups = {g["AutoScalingGroupName"]: g for g in list_groups(api, name)
              if is_owned(from_aws(g.get("Tags")), name)}
    latest = _latest_versions(api, groups.values())
    machines = {i["InstanceId"]: i for r in ec2_tagged(api, name, "describe_instances", "Reservations",
                                                       Filters=[{"Name": "instance-state-name",
                                                                 "Values": LIVE_STATES}])
                for i in r.get("Instances", [])}
    out = []
    for group in instance_groups:
        asg = groups.get(asg_name(group, name))
        members = {i["InstanceId"]: i for i in (asg or {}).get("Instances", [])
                   if not str(i.get("LifecycleState", "")).startswith("Terminating")}
        current = _launch_version(asg, latest) if asg else None
        instances = []
        for instance_id, member in sorted(members.items()):
            machine = machines.get(instance_id, {})
            launched = member.get("LaunchTemplate") or {}
            fresh = current is not None and (launched.get("LaunchTemplateId"), launched.get("Version")) == current
            instances.append(_instance(api, group, {**member, **machine},
                                       status=UP_TO_DATE if fresh else NEEDS_UPDATE, asg=asg))
        for instance_id, machine in sorted(machines.items()):
            if instance_id not in members and from_aws(machine.get("Tags")).get(TAG_INSTANCE_GROUP) == \
                    group.metadata.name:
                instances.append(_instance(api, group, machine, status=NEEDS_UPDATE, asg=None, detached=True))
        out.append(CloudInstanceGroup(
            instance_group=group, min_size=(asg or {}).get("MinSize", 0), max_size=(asg or {}).get("MaxSize", 0),
            target_size=(asg or {}).get("DesiredCapacity", 0), instances=instances))
    return out


def _instance(api: AWSApi, group: Any, machine: dict[str, Any], *, status: str, asg: dict[str, Any] | None,
              detached: bool = False) -> CloudInstance:
    zone = machine.get("Placement", {}).get("AvailabilityZone") or machine.get("AvailabilityZone", "")
    instance_id = machine["InstanceId"]
    return CloudInstance(
        id=instance_id, instance_group=group.metadata.name, role=role_of(group),
        state=(machine.get("State") or {}).get("Name") or str(machine.get("LifecycleState", "pending")).lower(),
        status=status,
        machine_type=machine.get("InstanceType", ""), internal_ip=machine.get("PrivateIpAddress", ""),
        external_ip=machine.get("PublicIpAddress", ""), zone=zone,
        provider_id=f"aws:///{zone}/{instance_id}", detached=detached,
        handle=(api, asg["AutoScalingGroupName"] if asg else None))


def _latest_versions(api: AWSApi, groups: Any) -> dict[str, str]:
    """Each launch template's latest version number, for the groups that launch from ``$Latest``."""
    ids = sorted({spec["LaunchTemplateId"] for g in groups if (spec := _template_spec(g))})
    if not ids:
        return {}
    found = api.ec2.describe_launch_templates(LaunchTemplateIds=ids)["LaunchTemplates"]
    return {t["LaunchTemplateId"]: str(t["LatestVersionNumber"]) for t in found}


def _launch_version(asg: dict[str, Any], latest: dict[str, str]) -> tuple[str, str] | None:
    """(template ID, version number) the group launches new instances from now."""
    spec = _template_spec(asg)
    if not spec:
        return None
    version = str(spec.get("Version") or "$Default")
    if version in ("$Latest", "$Default"):
        version = latest.get(spec["LaunchTemplateId"], version)
    return spec["LaunchTemplateId"], version


def _template_spec(asg: dict[str, Any]) -> dict[str, Any] | None:
    mixed = asg.get("MixedInstancesPolicy")
    return (mixed["LaunchTemplate"]["LaunchTemplateSpecification"] if mixed else asg.get("LaunchTemplate")) or None


def api_endpoint(api: AWSApi, cluster_name: str) -> str | None:
    """The DNS name of the cluster's API load balancer (``api.<cluster>``), when it exists and the cluster owns it."""
    for lb in list_load_balancers(api, cluster_name):
        if lb.get("LoadBalancerName") == name32(cluster_name, "api"):
            return str(lb.get("DNSName") or "") or None
    return None


def api_addresses(api: AWSApi, cluster_name: str) -> list[str]:
    """The API load balancer's DNS name and, as upstream gives a cluster without DNS, the private IPv4 and IPv6
    addresses of its network interfaces (one per subnet); empty when it does not exist yet."""
    lb = next((b for b in list_load_balancers(api, cluster_name)
               if b.get("LoadBalancerName") == name32(cluster_name, "api")), None)
    if lb is None:
        return []
    addresses = [str(lb["DNSName"])] if lb.get("DNSName") else []
    # AWS describes a load balancer's interfaces as "ELB net/<name>/<id>".
    prefix = f"ELB net/{lb['LoadBalancerName']}/"
    interfaces = api.ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [lb["VpcId"]]}])["NetworkInterfaces"] if lb.get("VpcId") else []
    for interface in interfaces:
        if str(interface.get("Description") or "").startswith(prefix):
            addresses += [a for a in [interface.get("PrivateIpAddress")] if a]
            addresses += [v6["Ipv6Address"] for v6 in interface.get("Ipv6Addresses") or [] if v6.get("Ipv6Address")]
    return sorted(set(addresses))


def delete_instance(instance: CloudInstance) -> None:
    """Terminate the instance; its group, not resized, launches a replacement (a detached one is just ended)."""
    api, group = instance.handle
    if group and not instance.detached:
        api.autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=instance.id,
                                                                 ShouldDecrementDesiredCapacity=False)
    else:
        api.ec2.terminate_instances(InstanceIds=[instance.id])


def detach_instance(instance: CloudInstance) -> None:
    """Take the instance out of its group without ending it; the group, keeping its size, launches a replacement."""
    api, group = instance.handle
    api.autoscaling.detach_instances(InstanceIds=[instance.id], AutoScalingGroupName=group,
                                     ShouldDecrementDesiredCapacity=False)

