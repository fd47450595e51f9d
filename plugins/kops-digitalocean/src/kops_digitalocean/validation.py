"""Checks of DigitalOcean clusters and their instance groups, as upstream kOps has them
(pkg/apis/kops/validation), plus what kops' DigitalOcean model cannot build."""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.api.errors import ManifestError
from kops.errors import FieldError

from kops_digitalocean.cloud import region_of

#: The private ranges a VPC's CIDR must fall in (RFC 1918), as upstream requires of ``networkCIDR``.
PRIVATE_RANGES = tuple(ipaddress.ip_network(r) for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
NVIDIA_ELSEWHERE = "NVIDIA GPU configuration is supported only on AWS and OpenStack"


def validate(cluster: Any, instance_groups: list[Any]) -> list[FieldError]:
    spec = cluster.spec
    if spec.cloudProvider != "digitalocean":
        return []
    errors: list[FieldError] = []
    doc = f"Cluster/{cluster.metadata.name}" if cluster.metadata.name else "Cluster"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    if spec.networkCIDR:
        if spec.networkID:
            add("spec.networkCIDR", "give either a VPC to share (networkID) or a CIDR for a new one, not both")
        if not _private(spec.networkCIDR):
            add("spec.networkCIDR", f"{spec.networkCIDR!r} is not in a private range (10.0.0.0/8, 172.16.0.0/12 or "
                                    "192.168.0.0/16): a DigitalOcean VPC's range must be")
    if spec.additionalNetworkCIDRs:
        add("spec.additionalNetworkCIDRs", "digitalocean does not support additionalNetworkCIDRs")
    topology = spec.topology
    if topology is not None and topology.dns is not None and topology.dns.type == "Private":
        add("spec.topology.dns.type", "DigitalOcean DNS has no private zones: use Public (a domain hosted by "
                                      "DigitalOcean) or None")
    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", NVIDIA_ELSEWHERE)

    region = ""
    for i, subnet in enumerate(spec.subnets or []):
        path = f"spec.subnets[{i}]"
        if not subnet.region:
            add(f"{path}.region", "required: a DigitalOcean subnet names its region, such as nyc1")
        elif region_of(subnet.region) != subnet.region:
            add(f"{path}.region", f"invalid DigitalOcean region {subnet.region!r}: expected a region such as nyc1")
        elif not region:
            region = subnet.region
        elif subnet.region != region:
            add(f"{path}.region", f"clusters cannot span regions ({subnet.region} is not {region})")
        if subnet.zone and subnet.region and subnet.zone != subnet.region:
            add(f"{path}.zone", f"on DigitalOcean a subnet's zone is its region ({subnet.region}), not {subnet.zone}")
        if subnet.type is not None and subnet.type != "Public":
            add(f"{path}.type", f"unsupported on DigitalOcean: {subnet.type}; there are no NAT gateways, so Droplets "
                                "keep public addresses and every subnet is Public")
        if subnet.id:
            add(f"{path}.id", "DigitalOcean has no subnets to share: name a VPC to share with networkID")
        if subnet.ipv6CIDR:
            add(f"{path}.ipv6CIDR", "ipv6CIDR can only be specified for AWS")

    for group in instance_groups:
        errors += _validate_group(group, region)
    return errors


def _private(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return True  # not a CIDR at all: core's check names it
    return any(network.version == r.version and network.subnet_of(r) for r in PRIVATE_RANGES)  # type: ignore[arg-type]


def _nvidia_enabled(spec: Any) -> bool:
    containerd = spec.containerd
    return bool(containerd is not None and containerd.nvidiaGPU is not None and containerd.nvidiaGPU.enabled)


def _validate_group(group: Any, region: str) -> list[FieldError]:
    errors: list[FieldError] = []
    doc = f"InstanceGroup/{group.metadata.name}" if group.metadata.name else "InstanceGroup"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    spec = group.spec
    if spec.role == "APIServer":
        add("spec.role", "the APIServer role is supported only on AWS and GCE")
    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", NVIDIA_ELSEWHERE)
    for i, zone in enumerate(spec.zones or []):
        if region and zone != region:
            add(f"spec.zones[{i}]", f"zone {zone!r} is not the cluster's region {region}, its only zone")
    return errors
