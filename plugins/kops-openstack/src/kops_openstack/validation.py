"""Checks of OpenStack clusters and their instance groups, as upstream kOps has them
(pkg/apis/kops/validation)."""

from __future__ import annotations

from typing import Any

from kops.api.errors import ManifestError
from kops.errors import FieldError

from kops_openstack.cloud import ZONE


def validate(cluster: Any, instance_groups: list[Any]) -> list[FieldError]:
    spec = cluster.spec
    if spec.cloudProvider != "openstack":
        return []
    errors: list[FieldError] = []
    doc = f"Cluster/{cluster.metadata.name}" if cluster.metadata.name else "Cluster"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    if spec.additionalNetworkCIDRs:
        add("spec.additionalNetworkCIDRs", "openstack does not support additionalNetworkCIDRs")
    openstack = spec.cloudConfig.openstack if spec.cloudConfig is not None else None
    router = openstack.router if openstack is not None else None
    has_external_network = router is not None and router.externalNetwork is not None
    for i, subnet in enumerate(spec.subnets or []):
        path = f"spec.subnets[{i}]"
        if subnet.type == "Public" and not has_external_network:
            add(f"{path}.type", "subnet type Public requires an external network "
                                "(spec.cloudConfig.openstack.router.externalNetwork)")
        if subnet.ipv6CIDR:
            add(f"{path}.ipv6CIDR", "ipv6CIDR can only be specified for AWS")
        if subnet.zone and not ZONE.match(subnet.zone):
            add(f"{path}.zone", f"invalid OpenStack zone {subnet.zone!r}")
    block_storage = openstack.blockStorage if openstack is not None else None
    manage = spec.cloudConfig.manageStorageClasses if spec.cloudConfig is not None else None
    create = block_storage.createStorageClass if block_storage is not None else None
    if manage is not None and create is not None and manage != create:
        add("spec.cloudConfig.manageStorageClasses", "management of storage classes and OpenStack block storage "
                                                     "classes (blockStorage.createStorageClass) are both specified "
                                                     "but disagree")
    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", "OpenStack supports NVIDIA GPU configuration only in instance groups")

    for group in instance_groups:
        errors += _validate_group(group)
    return errors


def _nvidia_enabled(spec: Any) -> bool:
    containerd = spec.containerd
    return bool(containerd is not None and containerd.nvidiaGPU is not None and containerd.nvidiaGPU.enabled)


def _validate_group(group: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    doc = f"InstanceGroup/{group.metadata.name}" if group.metadata.name else "InstanceGroup"
    spec = group.spec
    if spec.role == "APIServer":
        errors.append(ManifestError("spec.role", "the APIServer role is supported only on AWS and GCE", document=doc))
    for i, zone in enumerate(spec.zones or []):
        if not ZONE.match(zone):
            errors.append(ManifestError(f"spec.zones[{i}]", f"invalid OpenStack zone {zone!r}", document=doc))
    return errors
