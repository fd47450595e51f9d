"""Instances: the admin SSH key, then a launch template and an Auto Scaling group per instance group.

Defaults are upstream's: gp3 root volumes, encrypted, 64 GiB on the control plane, 128 on nodes and 32 on
bastions; IMDSv2 required with a hop limit of 1 unless the group says otherwise; one instance per
control-plane group and two per node group when sizes are not given. Groups Karpenter manages get
neither: Karpenter launches their instances itself.
"""

from __future__ import annotations

import re
from typing import Any

from kops.engine import Lifecycle, Task
from kops.errors import KopsError

from kops_aws.instancegroups import (
    API_SERVER,
    BASTION,
    CONTROL_PLANE,
    NODE,
    asg_name,
    instance_tags,
    role_key,
    role_of,
    warm_pool,
)
from kops_aws.model.iam import profile_for
from kops_aws.naming import name32
from kops_aws.tasks.autoscaling_group import METRICS, WARM_POOL_METRICS, AutoscalingGroup
from kops_aws.tasks.autoscaling_lifecycle_hook import AutoscalingLifecycleHook
from kops_aws.tasks.key_pair import KeyPair, fingerprint
from kops_aws.tasks.launch_template import LaunchTemplate

ROOT_VOLUME_SIZE = {CONTROL_PLANE: 64, API_SERVER: 128, NODE: 128, BASTION: 32}
VOLUME_TYPE = "gp3"
GP3_IOPS, GP3_THROUGHPUT, IO_IOPS = 3000, 125, 100

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?)(h|ms|m|s)")
_SECONDS = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}


class ComputeBuilder:
    def build(self, aws: Any) -> list[Task]:
        tasks: list[Task] = []
        key = self._key_pair(aws)
        if key is not None:
            tasks.append(key)
        for group in aws.model.instance_groups:
            if group.spec.manager == "Karpenter":
                continue
            template = self._launch_template(aws, group, key)
            asg = self._autoscaling_group(aws, group, template)
            pool = warm_pool(aws.spec, group)
            # Always built, so that turning the warm pool (or its hook) off removes the hook.
            hook = AutoscalingLifecycleHook(
                name=f"kops-warmpool-{group.metadata.name}", autoscaling_group=asg, hook_name="kops-warmpool",
                lifecycle_transition="autoscaling:EC2_INSTANCE_LAUNCHING", default_result="ABANDON",
                heartbeat_timeout=pool.hook_timeout, enabled=pool.enabled and pool.lifecycle_hook)
            tasks += aws.model.of_group(group, [template, asg, hook])
        return tasks

    @staticmethod
    def _key_pair(aws: Any) -> KeyPair | None:
        """The admin key: the one the user names (``sshKeyName``, shared), or the first stored public key.

        ``sshKeyName: ""`` means no key at all; so does having no stored key.
        """
        named = aws.spec.sshKeyName
        if named == "":
            return None
        if named:
            return KeyPair(name=named.replace(":", ""), key_name=named, lifecycle=Lifecycle.EXISTS_AND_WARN_IF_CHANGES)
        keys = aws.model.ssh_public_keys
        if not keys:
            return None
        public_key = keys[sorted(keys)[0]]
        key_name = f"kubernetes.{aws.cluster_name}-{fingerprint(public_key)}"
        return KeyPair(name=key_name.replace(":", ""), key_name=key_name, public_key=public_key,
                       tags=aws.tags(aws.cluster_name))

    def _launch_template(self, aws: Any, group: Any, key: KeyPair | None) -> LaunchTemplate:
        gspec, role = group.spec, role_of(group)
        name = asg_name(group, aws.cluster_name)
        if not gspec.image:
            raise KopsError(f"InstanceGroup/{group.metadata.name}: spec.image: required")
        if not gspec.machineType:
            raise KopsError(f"InstanceGroup/{group.metadata.name}: spec.machineType: required")
        subnets = self._subnet_specs(aws, group)
        ipv6 = any(s.ipv6CIDR for s in subnets)
        public = subnets[0].type in ("Public", "Utility")
        volume_type = gspec.rootVolumeType or VOLUME_TYPE
        iops, throughput = _performance(volume_type, gspec.rootVolumeIops, gspec.rootVolumeThroughput)
        encrypted = gspec.rootVolumeEncryption if gspec.rootVolumeEncryption is not None else True
        metadata = gspec.instanceMetadata
        return LaunchTemplate(
            name=name,
            image=gspec.image,
            instance_type=gspec.machineType.split(",")[0].strip(),
            instance_profile=profile_for(aws, group),
            key_pair=key,
            security_groups=self._security_groups(aws, group),
            associate_public_ip=(gspec.associatePublicIp if gspec.associatePublicIp is not None else True) if public
            else False,
            ipv6_address_count=1 if ipv6 else 0,
            root_volume_size=gspec.rootVolumeSize or ROOT_VOLUME_SIZE[role],
            root_volume_type=volume_type,
            root_volume_iops=iops,
            root_volume_throughput=throughput,
            root_volume_encrypted=encrypted,
            root_volume_kms_key=(gspec.rootVolumeEncryptionKey or "") if encrypted else "",
            ebs_optimized=gspec.rootVolumeOptimization,
            volumes=[_volume(v) for v in gspec.volumes or []],
            http_tokens=(metadata.httpTokens if metadata and metadata.httpTokens else "required"),
            http_put_response_hop_limit=(metadata.httpPutResponseHopLimit
                                         if metadata and metadata.httpPutResponseHopLimit else 1),
            http_protocol_ipv6="enabled" if ipv6 else "disabled",
            monitoring=bool(gspec.detailedInstanceMonitoring),
            cpu_credits=gspec.cpuCredits or "",
            tenancy=gspec.tenancy or None,
            # With several instance types the price limit belongs to the group's policy, not the template.
            spot_price=(gspec.maxPrice or "") if not gspec.mixedInstancesPolicy else "",
            spot_duration_minutes=gspec.spotDurationInMinutes,
            instance_interruption_behavior=gspec.instanceInterruptionBehavior,
            # Bastions run no nodeup, so they boot without user data, as upstream's do.
            user_data=None if role == BASTION else aws.model.user_data.get(group.metadata.name),
            tags=instance_tags(aws, group),
        )

    @staticmethod
    def _subnet_specs(aws: Any, group: Any) -> list[Any]:
        by_name = {s.name: s for s in aws.subnets}
        names = group.spec.subnets or []
        missing = [n for n in names if n not in by_name]
        if not names or missing:
            raise KopsError(f"InstanceGroup/{group.metadata.name}: spec.subnets: "
                            + (f"no subnet named {missing[0]!r} in the cluster" if missing else "required"))
        return [by_name[n] for n in names]

    @staticmethod
    def _security_groups(aws: Any, group: Any) -> list[Any]:
        gspec, role = group.spec, role_of(group)
        groups: list[Any] = [gspec.securityGroupOverride] if gspec.securityGroupOverride else [
            aws.security_group(role)]
        lb = aws.spec.api.loadBalancer if aws.spec.api else None
        if role in (CONTROL_PLANE, API_SERVER) and lb is not None and lb.class_ == "Network":
            groups += lb.additionalSecurityGroups or []
        groups += gspec.additionalSecurityGroups or []
        return groups

    def _autoscaling_group(self, aws: Any, group: Any, template: LaunchTemplate) -> AutoscalingGroup:
        gspec, role = group.spec, role_of(group)
        default_size = 2 if role == NODE else 1
        pool = warm_pool(aws.spec, group)
        mixed = gspec.mixedInstancesPolicy
        return AutoscalingGroup(
            name=asg_name(group, aws.cluster_name),
            launch_template=template,
            min_size=gspec.minSize if gspec.minSize is not None else default_size,
            max_size=gspec.maxSize if gspec.maxSize is not None else default_size,
            subnets=[aws.subnet(name) for name in gspec.subnets or []],
            target_groups=self._target_groups(aws, group),
            load_balancers=sorted(lb.loadBalancerName for lb in gspec.externalLoadBalancers or [] if lb.loadBalancerName),
            tags=instance_tags(aws, group),
            metrics=METRICS + (WARM_POOL_METRICS if pool.enabled else []),
            metrics_granularity="1Minute",
            protect_from_scale_in=bool(gspec.instanceProtection),
            max_instance_lifetime=_seconds(gspec.maxInstanceLifetime),
            capacity_rebalance=gspec.capacityRebalance,
            suspended_processes=list(gspec.suspendProcesses or []),
            mixed_instances={
                "instance_types": list(mixed.instances or []),
                "on_demand_base": mixed.onDemandBase,
                "on_demand_above_base": mixed.onDemandAboveBase,
                "on_demand_allocation_strategy": mixed.onDemandAllocationStrategy,
                "spot_allocation_strategy": mixed.spotAllocationStrategy,
                "spot_instance_pools": mixed.spotInstancePools,
                "spot_max_price": gspec.maxPrice or "",
            } if mixed else None,
            warm_pool={"min_size": pool.min_size, "max_size": pool.max_size} if pool.enabled else {},
            export_role=role_key(role),
        )

    @staticmethod
    def _target_groups(aws: Any, group: Any) -> list[Any]:
        """The API load balancer's target groups for groups that run the API server (and kops-controller),
        the bastion load balancer's for bastions, and target groups the user names."""
        role = role_of(group)
        prefixes: list[str] = []
        if role in (CONTROL_PLANE, API_SERVER):
            prefixes += ["tcp", "tls"]
            if role == CONTROL_PLANE:
                prefixes += ["kops-controller", "etcd-cilium"]
        if role == BASTION:
            prefixes.append("bastion")
        found = [aws.find("TargetGroup", name32(aws.cluster_name, p)) for p in prefixes]
        groups: list[Any] = sorted((t for t in found if t is not None), key=lambda t: t.name)
        groups += [lb.targetGroupArn for lb in group.spec.externalLoadBalancers or [] if lb.targetGroupArn]
        return groups


def _performance(volume_type: str, iops: int | None, throughput: int | None) -> tuple[int | None, int | None]:
    """A volume's IOPS and throughput with upstream's floors: gp3 3000 and 125, io1/io2 100; others none."""
    if volume_type == "gp3":
        return max(iops or 0, GP3_IOPS), max(throughput or 0, GP3_THROUGHPUT)
    if volume_type in ("io1", "io2"):
        return max(iops or 0, IO_IOPS), None
    return None, None


def _volume(v: Any) -> dict[str, Any]:
    volume_type = v.type or VOLUME_TYPE
    iops, throughput = _performance(volume_type, v.iops, v.throughput)
    return {"device": v.device, "size": v.size, "type": volume_type, "iops": iops, "throughput": throughput,
            "encrypted": v.encrypted if v.encrypted is not None else True, "kms_key": v.key,
            "delete_on_termination": v.deleteOnTermination if v.deleteOnTermination is not None else True}


def _seconds(duration: str | None) -> int:
    """A Go duration (``168h``, ``1h30m``) in whole seconds; unset is 0."""
    if not duration or duration.strip("+-") == "0":
        return 0
    return int(sum(float(n) * _SECONDS[unit] for n, unit in _DURATION_PART.findall(duration)))


BUILDER = ComputeBuilder()
