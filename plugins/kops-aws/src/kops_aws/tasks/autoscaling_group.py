"""AutoscalingGroup: keeps an instance group's instances running, from its launch template, in its subnets.

Its tags are copied to the instances it launches (kops-controller, the cluster autoscaler and the node
termination handler read them there). Control-plane groups register their instances with the API load
balancer's target groups. A warm pool, when the group has one, is part of the group here, as Terraform
has it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.awsapi import NotYetVisible, error_code
from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.tags import ownership_key
from kops_aws.tasks.common import delete_quietly, owned, ref_id
from kops_aws.tasks.launch_template import LaunchTemplate
from kops_aws.tasks.subnet import Subnet

#: The group metrics upstream enables on every group.
METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize", "GroupMinSize",
           "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances", "GroupTotalInstances"]
#: The further metrics of a group with a warm pool.
WARM_POOL_METRICS = ["WarmPoolMinSize", "WarmPoolDesiredCapacity", "WarmPoolPendingCapacity",
                     "WarmPoolTerminatingCapacity", "WarmPoolWarmedCapacity", "WarmPoolTotalCapacity",
                     "GroupAndWarmPoolDesiredCapacity", "GroupAndWarmPoolTotalCapacity"]

#: Fields ``UpdateAutoScalingGroup`` changes.
_UPDATED_IN_PLACE = {"launch_template", "mixed_instances", "min_size", "max_size", "subnets",
                     "protect_from_scale_in", "max_instance_lifetime", "capacity_rebalance"}


class AutoscalingGroup(Task):
    launch_template: LaunchTemplate | None = None
    min_size: int | None = None
    max_size: int | None = None
    #: Subnet tasks.
    subnets: list[Any] | None = None
    #: TargetGroup tasks, or ARNs of target groups the user made.
    target_groups: list[Any] | None = None
    #: Names of classic load balancers the user made (an instance group's ``externalLoadBalancers``).
    load_balancers: list[str] | None = None
    #: Tags, all copied to the instances at launch.
    tags: dict[str, str] | None = None
    metrics: list[str] | None = None
    metrics_granularity: str | None = None
    protect_from_scale_in: bool | None = None
    #: Seconds an instance may live; 0 for no limit.
    max_instance_lifetime: int | None = None
    capacity_rebalance: bool | None = None
    suspended_processes: list[str] | None = None
    #: Several instance types and spot instances: ``instance_types`` (the overrides) and the distribution
    #: (``on_demand_base``, ``on_demand_above_base``, ``on_demand_allocation_strategy``,
    #: ``spot_allocation_strategy``, ``spot_instance_pools``, ``spot_max_price``).
    mixed_instances: dict[str, Any] | None = None
    #: Stopped, pre-initialised instances: ``{"min_size": n, "max_size": m or None}``; ``{}`` for none.
    warm_pool: dict[str, Any] | None = None
    #: The role prefix of the Terraform outputs (``master``: ``master_autoscaling_group_ids``).
    export_role: str | None = None
    arn: str | None = None

    id_field = "arn"
    ignored_fields = {"export_role"}
    output_fields = {"arn"}
    terraform_type = "aws_autoscaling_group"

    def find(self, ctx: Context) -> AutoscalingGroup | None:
        raw = ctx.snapshot.first("autoscaling_group", lambda g: g["AutoScalingGroupName"] == self.name)
        if raw is None:
            return None
        mixed = raw.get("MixedInstancesPolicy")
        spec = (mixed["LaunchTemplate"]["LaunchTemplateSpecification"] if mixed else raw.get("LaunchTemplate")) or {}
        tags = {t["Key"]: t.get("Value", "") for t in raw.get("Tags", [])}
        warm = raw.get("WarmPoolConfiguration")
        return AutoscalingGroup(
            name=self.name, lifecycle=self.lifecycle, arn=raw.get("AutoScalingGroupARN"),
            launch_template=LaunchTemplate(name=spec["LaunchTemplateName"], id=spec.get("LaunchTemplateId"))
            if spec.get("LaunchTemplateName") else None,
            min_size=raw["MinSize"], max_size=raw["MaxSize"],
            subnets=sorted(s for s in (raw.get("VPCZoneIdentifier") or "").split(",") if s),
            target_groups=sorted(raw.get("TargetGroupARNs") or []),
            load_balancers=sorted(raw.get("LoadBalancerNames") or []),
            tags={k: tags[k] for k in self.tags or {} if k in tags},
            metrics=sorted(m["Metric"] for m in raw.get("EnabledMetrics") or []),
            metrics_granularity=next((m["Granularity"] for m in raw.get("EnabledMetrics") or []), None),
            protect_from_scale_in=raw.get("NewInstancesProtectedFromScaleIn", False),
            max_instance_lifetime=raw.get("MaxInstanceLifetime") or 0,
            capacity_rebalance=raw.get("CapacityRebalance", False),
            suspended_processes=sorted(p["ProcessName"] for p in raw.get("SuspendedProcesses") or []),
            mixed_instances=_mixed_from_api(mixed) if mixed else None,
            warm_pool={"min_size": warm.get("MinSize", 0), "max_size": _max_prepared(warm)} if warm else {},
        )

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field in ("subnets", "target_groups"):
            wanted = [ref_id(x) for x in desired]
            return None not in wanted and sorted(wanted) == sorted(actual or [])
        if field in ("metrics", "suspended_processes", "load_balancers"):
            return sorted(desired) == sorted(actual or [])
        if field == "mixed_instances":
            return _mixed_key(desired) == _mixed_key(actual)
        return super().field_equal(field, desired, actual)

    # --- direct -------------------------------------------------------------------------------------

    def render_direct(self, ctx: Context, actual: AutoscalingGroup | None, changes: Changes) -> None:
        asg = ctx.cloud.autoscaling
        if actual is None:
            args = self._group_args()
            args["Tags"] = self._api_tags()
            if self.target_groups:
                args["TargetGroupARNs"] = [ref_id(t) for t in self.target_groups]
            if self.load_balancers:
                args["LoadBalancerNames"] = self.load_balancers
            if not args.get("MaxInstanceLifetime"):
                args.pop("MaxInstanceLifetime", None)
            try:
                asg.create_auto_scaling_group(**args)
            except Exception as exc:
                if _profile_not_visible(exc):
                    raise NotYetVisible(f"the instance profile of {self.name}'s launch template is not visible to "
                                        "Auto Scaling yet") from exc
                raise
            self._set_metrics(ctx, [])
            self._set_processes(ctx, [])
            if self.warm_pool:
                self._put_warm_pool(ctx)
            return
        if set(changes) & _UPDATED_IN_PLACE:
            asg.update_auto_scaling_group(**self._group_args())
        if "tags" in changes:
            asg.create_or_update_tags(Tags=self._api_tags())
        if "target_groups" in changes:
            have, want = set(actual.target_groups or []), {ref_id(t) for t in self.target_groups or []}
            if want - have:
                asg.attach_load_balancer_target_groups(AutoScalingGroupName=self.name,
                                                       TargetGroupARNs=sorted(want - have))
            if have - want:
                asg.detach_load_balancer_target_groups(AutoScalingGroupName=self.name,
                                                       TargetGroupARNs=sorted(have - want))
        if "load_balancers" in changes:
            have_lbs, want_lbs = set(actual.load_balancers or []), set(self.load_balancers or [])
            if want_lbs - have_lbs:
                asg.attach_load_balancers(AutoScalingGroupName=self.name, LoadBalancerNames=sorted(want_lbs - have_lbs))
            if have_lbs - want_lbs:
                asg.detach_load_balancers(AutoScalingGroupName=self.name, LoadBalancerNames=sorted(have_lbs - want_lbs))
        if "metrics" in changes or "metrics_granularity" in changes:
            self._set_metrics(ctx, actual.metrics or [])
        if "suspended_processes" in changes:
            self._set_processes(ctx, actual.suspended_processes or [])
        if "warm_pool" in changes:
            if self.warm_pool:
                self._put_warm_pool(ctx)
            else:
                asg.delete_warm_pool(AutoScalingGroupName=self.name, ForceDelete=True)

    def _group_args(self) -> dict[str, Any]:
        assert self.launch_template is not None
        template = {"LaunchTemplateId": self.launch_template.id, "Version": "$Latest"}
        args: dict[str, Any] = {
            "AutoScalingGroupName": self.name, "MinSize": self.min_size, "MaxSize": self.max_size,
            "VPCZoneIdentifier": ",".join(ref_id(s) for s in self.subnets or []),
            "NewInstancesProtectedFromScaleIn": bool(self.protect_from_scale_in),
            "MaxInstanceLifetime": self.max_instance_lifetime or 0,
        }
        if self.capacity_rebalance is not None:
            args["CapacityRebalance"] = self.capacity_rebalance
        if self.mixed_instances:
            args["MixedInstancesPolicy"] = _mixed_to_api(self.mixed_instances, template)
        else:
            args["LaunchTemplate"] = template
        return args

    def _api_tags(self) -> list[dict[str, Any]]:
        return [{"Key": k, "Value": v, "PropagateAtLaunch": True, "ResourceId": self.name,
                 "ResourceType": "auto-scaling-group"} for k, v in sorted((self.tags or {}).items())]

    def _set_metrics(self, ctx: Context, have: list[str]) -> None:
        asg = ctx.cloud.autoscaling
        extra = sorted(set(have) - set(self.metrics or []))
        if extra:
            asg.disable_metrics_collection(AutoScalingGroupName=self.name, Metrics=extra)
        if self.metrics:
            asg.enable_metrics_collection(AutoScalingGroupName=self.name, Metrics=self.metrics,
                                          Granularity=self.metrics_granularity or "1Minute")

    def _set_processes(self, ctx: Context, have: list[str]) -> None:
        asg = ctx.cloud.autoscaling
        resume = sorted(set(have) - set(self.suspended_processes or []))
        if resume:
            asg.resume_processes(AutoScalingGroupName=self.name, ScalingProcesses=resume)
        if self.suspended_processes:
            asg.suspend_processes(AutoScalingGroupName=self.name, ScalingProcesses=self.suspended_processes)

    def _put_warm_pool(self, ctx: Context) -> None:
        assert self.warm_pool
        args: dict[str, Any] = {"AutoScalingGroupName": self.name, "MinSize": self.warm_pool.get("min_size", 0)}
        if self.warm_pool.get("max_size") is not None:
            args["MaxGroupPreparedCapacity"] = self.warm_pool["max_size"]
        ctx.cloud.autoscaling.put_warm_pool(**args)

    def delete_direct(self, ctx: Context) -> None:
        """Delete the group and, with it, its instances (they would keep the subnets and groups in use)."""
        delete_quietly(lambda: ctx.cloud.autoscaling.delete_auto_scaling_group(
            AutoScalingGroupName=self.name, ForceDelete=True))

    # --- terraform ----------------------------------------------------------------------------------

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        assert self.launch_template is not None
        template = Block(id=self.launch_template.terraform_ref("id"),
                         version=self.launch_template.terraform_ref("latest_version"))
        attrs: dict[str, Any] = {
            "name": self.name, "min_size": self.min_size, "max_size": self.max_size,
            "enabled_metrics": sorted(self.metrics or []), "metrics_granularity": self.metrics_granularity,
            "protect_from_scale_in": bool(self.protect_from_scale_in),
            "max_instance_lifetime": self.max_instance_lifetime, "capacity_rebalance": self.capacity_rebalance,
            "suspended_processes": self.suspended_processes,
            "vpc_zone_identifier": [s.terraform_ref() for s in self.subnets or []],
            "load_balancers": sorted(self.load_balancers or []),
            "target_group_arns": sorted((t if isinstance(t, str) else t.terraform_ref() for t in self.target_groups or []),
                                        key=str),
            "tag": [Block(key=k, value=v, propagate_at_launch=True) for k, v in sorted((self.tags or {}).items())],
        }
        if self.mixed_instances:
            m = self.mixed_instances
            attrs["mixed_instances_policy"] = Block(
                instances_distribution=Block(
                    on_demand_allocation_strategy=m.get("on_demand_allocation_strategy"),
                    on_demand_base_capacity=m.get("on_demand_base"),
                    on_demand_percentage_above_base_capacity=m.get("on_demand_above_base"),
                    spot_allocation_strategy=m.get("spot_allocation_strategy"),
                    spot_instance_pools=m.get("spot_instance_pools"),
                    spot_max_price=m.get("spot_max_price", "")),
                launch_template=Block(
                    launch_template_specification=Block(launch_template_id=template["id"], version=template["version"]),
                    override=[Block(instance_type=t) for t in m.get("instance_types") or []] or None))
        else:
            attrs["launch_template"] = template
        if self.warm_pool:
            attrs["warm_pool"] = Block(min_size=self.warm_pool.get("min_size", 0),
                                       max_group_prepared_capacity=self.warm_pool.get("max_size"))
        tf.add_resource("aws_autoscaling_group", self.name, attrs)
        if self.export_role:
            tf.add_output_item(f"{self.export_role}_autoscaling_group_ids", self.terraform_ref("id"))
            for group in self.launch_template.security_groups or []:
                tf.add_output_item(f"{self.export_role}_security_group_ids",
                                   group if isinstance(group, str) else group.terraform_ref())
            if self.export_role == "node":
                for subnet in self.subnets or []:
                    tf.add_output_item("node_subnet_ids", subnet.terraform_ref())


def _profile_not_visible(exc: BaseException) -> bool:
    """Whether Auto Scaling refused a launch template because its new instance profile has not reached it
    yet (IAM is eventually consistent; the same call succeeds a few seconds later)."""
    return error_code(exc) == "ValidationError" and "Invalid IAM Instance Profile" in str(exc)


def _max_prepared(warm: dict[str, Any]) -> int | None:
    value = warm.get("MaxGroupPreparedCapacity")
    return None if value in (None, -1) else value


def _mixed_to_api(m: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    distribution = {
        "OnDemandAllocationStrategy": m.get("on_demand_allocation_strategy"),
        "OnDemandBaseCapacity": m.get("on_demand_base"),
        "OnDemandPercentageAboveBaseCapacity": m.get("on_demand_above_base"),
        "SpotAllocationStrategy": m.get("spot_allocation_strategy"),
        "SpotInstancePools": m.get("spot_instance_pools"),
        "SpotMaxPrice": m.get("spot_max_price", ""),
    }
    return {
        "LaunchTemplate": {"LaunchTemplateSpecification": template,
                           "Overrides": [{"InstanceType": t} for t in m.get("instance_types") or []]},
        "InstancesDistribution": {k: v for k, v in distribution.items() if v is not None},
    }


def _mixed_from_api(p: dict[str, Any]) -> dict[str, Any]:
    d = p.get("InstancesDistribution") or {}
    return {
        "instance_types": [o["InstanceType"] for o in p["LaunchTemplate"].get("Overrides") or [] if "InstanceType" in o],
        "on_demand_allocation_strategy": d.get("OnDemandAllocationStrategy"),
        "on_demand_base": d.get("OnDemandBaseCapacity"),
        "on_demand_above_base": d.get("OnDemandPercentageAboveBaseCapacity"),
        "spot_allocation_strategy": d.get("SpotAllocationStrategy"),
        "spot_instance_pools": d.get("SpotInstancePools"),
        "spot_max_price": d.get("SpotMaxPrice", ""),
    }


def _mixed_key(m: dict[str, Any] | None) -> Any:
    """What a mixed-instances policy says, with AWS's defaults where the spec left a value unset."""
    if not m:
        return None
    return {k: v for k, v in m.items() if v is not None and k != "instance_types"}, sorted(m.get("instance_types") or [])


@register("autoscaling_group")
def list_groups(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The Auto Scaling groups tagged for the cluster (owned or shared), but those being deleted: a group stays
    listed until its instances are gone, and a cluster made again under its name must not find it."""
    return [g for g in paginate(api.autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups",
                                Filters=[{"Name": "tag-key", "Values": [ownership_key(cluster_name)]}])
            if g.get("Status") != "Delete in progress"]


@register_deletions("autoscaling_group")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    out: list[Task] = []
    for g in owned(snapshot.get("autoscaling_group"), cluster_name):
        spec = (g.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification") \
            or g.get("LaunchTemplate") or {}
        template = LaunchTemplate(name=spec.get("LaunchTemplateName", ""), id=spec["LaunchTemplateId"]) \
            if spec.get("LaunchTemplateId") else None
        # Placeholders (linked to their own deletions by ID): the group goes before its template and subnets.
        subnets = [Subnet(name=s, id=s) for s in (g.get("VPCZoneIdentifier") or "").split(",") if s]
        out.append(AutoscalingGroup(name=g["AutoScalingGroupName"], arn=g["AutoScalingGroupARN"],
                                    launch_template=template, subnets=subnets))
    return out
