"""Create-stage rules that finish every new instance group: image, machine type, subnets, labels,
and the per-role flags (volumes, security groups, tenancy, public IPs)."""

from __future__ import annotations

from typing import Any

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
            if not spec.get("image") and ctx.cloud is not None and ctx.cloud.default_image:
                spec["image"] = ctx.cloud.default_image
        if not spec.get("machineType") and ctx.cloud is not None:
            region = ctx.cloud.region_for_zone(o.zones[0]) if o.zones else ""
            spec["machineType"] = ctx.cloud.default_machine_type(spec["role"], region)


@rule("create", 81)
def group_subnets(ctx: InferenceContext) -> None:
    """Groups without subnets get those :func:`inferred_subnets` chooses."""
    ipv6_only = ":" in str(ctx.spec.get("nonMasqueradeCIDR") or "")
    for ig in ctx.instance_groups:
        spec = ig["spec"]
        name = ig["metadata"]["name"]
        if spec.get("role") in CONTROL_PLANE:
            if not spec.get("subnets"):
                raise KopsError(f"InstanceGroup {name}: a control-plane group needs subnets")
            continue
        if not spec.get("subnets"):
            spec["subnets"] = inferred_subnets(spec.get("role") or "Node", ctx.subnets(), ipv6_only)
        if not spec.get("subnets"):
            raise KopsError(f"InstanceGroup {name}: no subnet can hold its instances")


def inferred_subnets(role: str, subnets: list[dict[str, Any]], ipv6_only: bool) -> list[str]:
    """The subnets (names, in spec order) a group of ``role`` that names none is placed in, as upstream fills them
    in: none for the control plane, which must name its own; for API servers of an IPv6-only cluster the public
    and dual-stack subnets; for any other group the subnets that hold instances (neither utility nor dual-stack),
    else every subnet but the utility ones. Empty when there is none to choose."""
    if role in CONTROL_PLANE:
        return []
    if role == "APIServer" and ipv6_only:
        return [s["name"] for s in subnets if s.get("name") and s.get("type") not in ("Private", "Utility")]
    chosen = [s["name"] for s in subnets if s.get("name") and s.get("type") not in ("DualStack", "Utility")]
    return chosen or [s["name"] for s in subnets if s.get("name") and s.get("type") != "Utility"]


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
    """``Owner=John Doe,dn="cn=x, dc=y"`` -> a mapping, with upstream's rules: pairs are separated by commas,
    a pair is KEY=VALUE, leading blanks of a key or value are dropped, and a key or value in double quotes may
    hold ``=`` and ``,`` (``""`` is a quote inside quotes)."""
    labels: dict[str, str] = {}
    for fields in _label_records(text):
        if len(fields) != 2:
            raise KopsError(f"--cloud-labels: {'='.join(fields)!r} is not KEY=VALUE")
        labels[fields[0]] = fields[1]
    return labels


def _label_records(text: str) -> list[list[str]]:
    """The comma-separated records of ``text``, each split into its ``=``-separated fields (unquoted)."""
    records: list[list[str]] = []
    fields: list[str] = []
    i, n = 0, len(text)
    record_start = 0
    while i <= n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            value = []
            while True:
                if i >= n:
                    raise KopsError(f"--cloud-labels: unterminated quote in {text!r}")
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value.append(text[i])
                i += 1
            if i < n and text[i] not in "=,":
                raise KopsError(f"--cloud-labels: unexpected {text[i]!r} after a quoted field in {text!r}")
            field = "".join(value)
        else:
            start = i
            while i < n and text[i] not in "=,":
                i += 1
            field = text[start:i]
            if '"' in field:
                raise KopsError(f"--cloud-labels: a quote may only start a key or value: {field!r}")
        fields.append(field)
        if i < n and text[i] == "=":
            i += 1
            continue
        if i > record_start:  # nothing at all between two commas (or at the end) is skipped, as upstream does
            records.append(fields)
        fields = []
        i += 1  # past the comma (or the end)
        record_start = i
    return records
