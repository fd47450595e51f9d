"""``complete_instance_groups``: what an update fills in on instance groups the user stored without it.

A group written by hand (``kops create -f``) may leave out its machine image and machine type, as upstream
allows: upstream's update (PopulateInstanceGroupSpec) gives such a group the cloud's default machine type for
its role and the release channel's image for the cluster's Kubernetes version (the cloud's fixed image where the
channel lists none), and a group other than the control plane that names no subnets the cluster's subnets that
hold instances (:func:`kops.inference.instance_groups.inferred_subnets`). The stored groups are never changed;
the update builds from these completed copies.
"""

from __future__ import annotations

import copy
from typing import Any

from kops.errors import KopsError


def complete_instance_groups(cluster: dict[str, Any], groups: list[dict[str, Any]], cloud: Any,
                             channel: Any) -> list[dict[str, Any]]:
    """Copies of ``groups`` with ``spec.subnets``, ``spec.machineType`` and ``spec.image`` filled where empty, for
    the completed ``cluster`` tree on ``cloud`` (a :class:`kops.cloud.CloudProvider`) with ``channel``; either may
    be None, and a value that cannot be found is left empty for validation to name."""
    from kops.inference.instance_groups import inferred_subnets

    completed = copy.deepcopy(groups)
    spec = cluster.get("spec") or {}
    ipv6_only = ":" in str(spec.get("nonMasqueradeCIDR") or "")
    for group in completed:
        gspec = group.setdefault("spec", {})
        if not gspec.get("subnets"):
            chosen = inferred_subnets(gspec.get("role") or "", spec.get("subnets") or [], ipv6_only)
            if chosen:
                gspec["subnets"] = chosen
    if cloud is None:
        return completed
    version = spec.get("kubernetesVersion") or ""
    for group in completed:
        gspec = group.setdefault("spec", {})
        name = (group.get("metadata") or {}).get("name", "")
        if not gspec.get("machineType"):
            role = gspec.get("role") or "Node"
            try:
                gspec["machineType"] = cloud.default_machine_type(role, _region(cloud, spec))
            except KopsError:
                raise KopsError(f"InstanceGroup/{name}: spec.machineType: required (the {cloud.name} cloud has no "
                                f"default machine type for role {role})") from None
        if not gspec.get("image"):
            image = channel.find_image(cloud.channel_provider_id, version) if channel is not None and version else None
            image = image or cloud.default_image  # upstream's fixed image where channels list none
            if image:
                gspec["image"] = image
    return completed


def _region(cloud: Any, spec: dict[str, Any]) -> str:
    """The cluster's region from its subnets (validation has made sure they agree), or empty."""
    for subnet in spec.get("subnets") or []:
        if subnet.get("zone"):
            return str(cloud.region_for_zone(subnet["zone"]))
        if subnet.get("region"):
            return str(subnet["region"])
    return ""
