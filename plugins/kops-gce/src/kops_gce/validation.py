"""Checks of GCE clusters and their instance groups, as upstream kOps has them (pkg/apis/kops/validation)."""

from __future__ import annotations

from typing import Any

from kops.api.errors import ManifestError
from kops.errors import FieldError

from kops_gce.cloud import zone_region

PROVISIONING_MODELS = ("STANDARD", "SPOT")
NVIDIA_ELSEWHERE = "NVIDIA GPU configuration is supported only on AWS and OpenStack"


def validate(cluster: Any, instance_groups: list[Any]) -> list[FieldError]:
    spec = cluster.spec
    errors: list[FieldError] = []
    doc = f"Cluster/{cluster.metadata.name}" if cluster.metadata.name else "Cluster"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    networking = spec.networking
    gce_networking = networking is not None and networking.gce is not None
    if spec.cloudProvider != "gce":
        if gce_networking:
            add("spec.networking.gce", f"GCE networking is supported only on GCE, not on "
                                       f"{spec.cloudProvider or 'an unset cloud'}")
        return errors

    if gce_networking and ":" in (spec.nonMasqueradeCIDR or ""):
        add("spec.networking.gce", "GCE networking does not support IPv6")
    ip_aliases = networking is not None and (networking.gce is not None or networking.kindnet is not None)
    if ip_aliases and len(spec.subnets or []) != 1:
        add("spec.subnets", f"GCE IP aliases (networking gce or kindnet) need exactly one subnet, "
                            f"found {len(spec.subnets or [])}")
    if spec.networkCIDR:
        add("spec.networkCIDR", "gce does not support networkCIDR: subnets have ranges of their own")
    if spec.additionalNetworkCIDRs:
        add("spec.additionalNetworkCIDRs", "gce does not support additionalNetworkCIDRs")
    if spec.networkID and spec.networkID.count("/") > 1:
        add("spec.networkID", f"cannot parse {spec.networkID!r} as either project/network or network")

    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", NVIDIA_ELSEWHERE)

    region = ""
    for i, subnet in enumerate(spec.subnets or []):
        path = f"spec.subnets[{i}]"
        if subnet.zone:
            add(f"{path}.zone", "zones should not be specified for GCE subnets, as GCE subnets are regional")
        if not subnet.region:
            add(f"{path}.region", "required: GCE subnets belong to a region")
        elif not region:
            region = subnet.region
        elif subnet.region != region:
            add(f"{path}.region", f"clusters cannot span regions ({subnet.region} is not {region})")
        if subnet.ipv6CIDR:
            add(f"{path}.ipv6CIDR", "ipv6CIDR can only be specified for AWS")

    for group in instance_groups:
        errors += _validate_group(group, region)
    return errors


def _validate_group(group: Any, region: str) -> list[FieldError]:
    errors: list[FieldError] = []
    doc = f"InstanceGroup/{group.metadata.name}" if group.metadata.name else "InstanceGroup"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    spec = group.spec
    model = spec.gcpProvisioningModel
    if model is not None and model not in PROVISIONING_MODELS:
        add("spec.gcpProvisioningModel", f"unsupported value {model!r}: must be one of {', '.join(PROVISIONING_MODELS)}")
    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", NVIDIA_ELSEWHERE)
    if not spec.zones:
        add("spec.zones", "required: GCE instance groups name the zones they run in")
    for i, zone in enumerate(spec.zones or []):
        zone_of = zone_region(zone)
        if zone_of is None:
            add(f"spec.zones[{i}]", f"invalid GCE zone {zone!r}: expected a zone such as us-central1-a")
        elif region and zone_of != region:
            add(f"spec.zones[{i}]", f"zone {zone!r} is not in the cluster's region {region}")
    return errors


def _nvidia_enabled(spec: Any) -> bool:
    containerd = spec.containerd
    return bool(containerd is not None and containerd.nvidiaGPU is not None and containerd.nvidiaGPU.enabled)
