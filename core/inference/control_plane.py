"""Create-stage rules for the control plane: one group per control-plane node, and the etcd clusters."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule
from kops.inference.topology import topology_of
from kops.inference.zones import zone_in_group_name, zone_subnets


def _sizes(ctx: InferenceContext, spec: dict, sizes: list[str]) -> None:
    """The first size is the machine type; on clouds with mixed instances, several make a policy."""
    if sizes:
        spec["machineType"] = sizes[0]
    if len(sizes) > 1 and ctx.cloud is not None and ctx.cloud.mixed_instances:
        spec["mixedInstancesPolicy"] = {"instances": list(sizes)}


@rule("create", 50)
def control_plane_groups(ctx: InferenceContext) -> None:
    o = ctx.options
    count = o.control_plane_count
    zones = o.control_plane_zones
    if count < 0:
        raise KopsError("--control-plane-count: must not be negative")
    if zones:
        if count and count < len(zones):
            raise KopsError(f"--control-plane-count: {count} is fewer than the {len(zones)} --control-plane-zones; "
                            "if both are given the count should match")
        count = count or len(zones)
    else:
        zones = o.zones
        count = count or 1
    mapping = zone_subnets(ctx)
    for i in range(count):
        zone = zones[i % len(zones)]
        name = zone_in_group_name(ctx, zone)
        if ctx.cloud_has("numbered_control_plane_groups"):
            if count >= len(zones):
                name += f"-{1 + i // len(zones)}"
        elif count > len(zones):
            name += f"-{1 + i // len(zones)}"
        main_subnet = mapping[zone][0]["name"]
        if o.ipv6 and topology_of(ctx) == "private":
            main_subnet = "dualstack-" + main_subnet
        spec: dict = {"role": "Master", "minSize": 1, "maxSize": 1, "subnets": [main_subnet]}
        if ctx.cloud is not None and ctx.cloud.instance_groups_list_zones:
            spec["zones"] = [zone]
        _sizes(ctx, spec, o.control_plane_sizes)
        if o.control_plane_image:
            spec["image"] = o.control_plane_image
        ctx.add_instance_group("control-plane-" + name, spec)


def _member_names(groups: list[str]) -> list[str]:
    """Short etcd member names: the group names without their role prefix and common leading characters."""
    names = [g.removeprefix("control-plane-").removeprefix("master-") for g in groups]
    while names and len(names[0]) > 1:
        prefix = names[0][0]
        if not all(n.startswith(prefix) for n in names):
            break
        names = [n[1:] for n in names]
    return ["etcd-" + n if n[:1].isdigit() else n for n in names]


@rule("create", 51)
def etcd_clusters(ctx: InferenceContext) -> None:
    """``main`` and ``events`` (and ``cilium`` for cilium-etcd), a member on every control-plane group."""
    o = ctx.options
    groups = [ig["metadata"]["name"] for ig in ctx.groups_with_role("Master")]
    encrypt = o.encrypt_etcd_storage
    if encrypt is None:
        encrypt = bool(ctx.cloud is not None and ctx.cloud.encrypt_etcd_by_default)
    names = list(o.etcd_clusters)
    if (o.networking or "").lower() == "cilium-etcd" and "cilium" not in names:
        names.append("cilium")
    clusters = ctx.spec.setdefault("etcdClusters", [])
    for cluster_name in names:
        members = []
        for group, member in zip(groups, _member_names(groups), strict=True):
            m: dict = {"name": member, "instanceGroup": group}
            if encrypt:
                m["encryptedVolume"] = True
            if o.etcd_storage_type:
                m["volumeType"] = o.etcd_storage_type
            members.append(m)
        clusters.append({
            "name": cluster_name,
            "cpuRequest": "200m" if cluster_name == "main" else "100m",
            "memoryRequest": "100Mi",
            "manager": {"backupRetentionDays": 90},
            "etcdMembers": members,
        })
