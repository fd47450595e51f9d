"""Create-stage rules that finish every new instance group: image, machine type, subnets, labels,
and the per-role flags (volumes, security groups, tenancy, public IPs)."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule

CONTROL_PLANE = ("Master", "ControlPlane")


@rule("create", 80)
def images_and_machine_types(ctx: InferenceContext) -> None:
    o = ctx.options
    for ig in ctx.instance_groups:
        spec = ig["spec"]
        if not spec.get("image"):
            if o.image:
                spec["image"] = o.image
            elif ctx.channel is not None and ctx.cloud is not None and ctx.spec.get("kubernetesVersion"):
                image = ctx.channel.find_image(ctx.cloud.channel_provider_id, ctx.spec["kubernetesVersion"])
                if image:
                    spec["image"] = image
        if not spec.get("machineType") and ctx.cloud is not None:
            region = ctx.cloud.region_for_zone(o.zones[0]) if o.zones else ""
            spec["machineType"] = ctx.cloud.default_machine_type(spec["role"], region)


@rule("create", 81)
def group_subnets(ctx: InferenceContext) -> None:
    """Groups without subnets get every subnet that can hold instances (not utility, not dual-stack)."""
    for ig in ctx.instance_groups:
        spec = ig["spec"]
        name = ig["metadata"]["name"]
        if spec.get("role") in CONTROL_PLANE:
            if not spec.get("subnets"):
                raise KopsError(f"InstanceGroup {name}: a control-plane group needs subnets")
            continue
        if not spec.get("subnets"):
            spec["subnets"] = [s["name"] for s in ctx.subnets() if s.get("type") not in ("DualStack", "Utility")]
        if not spec.get("subnets"):
            spec["subnets"] = [s["name"] for s in ctx.subnets() if s.get("type") != "Utility"]
        if not spec.get("subnets"):
            raise KopsError(f"InstanceGroup {name}: no subnet can hold its instances")


@rule("create", 82)
def node_labels(ctx: InferenceContext) -> None:
    for ig in ctx.instance_groups:
        ig["spec"].setdefault("nodeLabels", {})["kops.k8s.io/instancegroup"] = ig["metadata"]["name"]


@rule("create", 85)
def role_flags(ctx: InferenceContext) -> None:
    """Flags that apply to all groups of one role (upstream applies them after building the groups)."""
    o = ctx.options
    control_planes = ctx.groups_with_role(*CONTROL_PLANE)
    nodes = ctx.groups_with_role("Node")
    if o.associate_public_ip is not None:
        for ig in ctx.instance_groups:
            ig["spec"]["associatePublicIp"] = o.associate_public_ip
    for groups, tenancy in ((control_planes, o.control_plane_tenancy), (nodes, o.node_tenancy)):
        for ig in groups if tenancy else []:
            ig["spec"]["tenancy"] = tenancy
    for groups, sgs in ((nodes, o.node_security_groups), (control_planes, o.control_plane_security_groups)):
        for ig in groups if sgs else []:
            ig["spec"]["additionalSecurityGroups"] = list(sgs)
    for groups, size, kind in ((control_planes, o.control_plane_volume_size, o.control_plane_volume_type),
                               (nodes, o.node_volume_size, o.node_volume_type)):
        for ig in groups:
            if size:
                ig["spec"]["rootVolumeSize"] = size
            if kind:
                ig["spec"]["rootVolumeType"] = kind


@rule("create", 86)
def cluster_flags(ctx: InferenceContext) -> None:
    """Cluster-wide flags that need no inference: cloud labels, DNS zone, network CIDRs, API name."""
    o = ctx.options
    labels = parse_cloud_labels(o.cloud_labels)
    if labels:
        ctx.spec["cloudLabels"] = labels
    if o.dns_zone:
        ctx.spec["dnsZone"] = o.dns_zone
    if o.network_cidrs:
        ctx.spec["networkCIDR"] = o.network_cidrs[0]
        if o.network_cidrs[1:]:
            ctx.spec["additionalNetworkCIDRs"] = list(o.network_cidrs[1:])
    if o.disable_subnet_tags:
        ctx.spec["tagSubnets"] = False
    if o.api_public_name:
        ctx.spec["masterPublicName"] = o.api_public_name


def parse_cloud_labels(text: str) -> dict[str, str]:
    """``Owner=John Doe,Team=Some Team`` -> a mapping; commas inside quotes are kept."""
    import csv

    if not text.strip():
        return {}
    labels: dict[str, str] = {}
    for item in next(csv.reader([text], skipinitialspace=True)):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KopsError(f"--cloud-labels: {item!r} is not KEY=VALUE")
        labels[key.strip()] = value.strip()
    return labels
