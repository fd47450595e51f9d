"""Checks of vSphere clusters and their instance groups: upstream's settings (``spec.cloudConfig.vSphere*``), and
what a vSphere cluster cannot have (load balancers, DNS records kops publishes, NAT, credentials in the spec)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from kops.api.errors import ManifestError
from kops.errors import FieldError

from kops_vsphere.cloud import zone_problem
from kops_vsphere.inference import SETTINGS

NVIDIA_ELSEWHERE = "NVIDIA GPU configuration is supported only on AWS and OpenStack"
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
#: Fields of ``spec.cloudConfig`` upstream had that must stay empty, and why.
UNSET = {
    "vSphereUsername": "credentials are read from VSPHERE_USERNAME and VSPHERE_PASSWORD, never stored in the spec",
    "vSpherePassword": "credentials are read from VSPHERE_USERNAME and VSPHERE_PASSWORD, never stored in the spec",
    "vSphereCoreDNSServer": "kops publishes no DNS records on vSphere (dns-controller has no CoreDNS provider); "
                            "leave it unset",
}


def server_problem(server: str) -> str | None:
    """Why ``server`` is not a vCenter's ``host[:port]`` (kops reaches its API at ``https://SERVER/sdk``)."""
    if "://" in server:
        return f"{server!r}: give host[:port] without a scheme, such as vcenter.example.com"
    parts = urlsplit("//" + server)
    try:
        parts.port  # noqa: B018 - parsing the port raises on a bad one
    except ValueError:
        return f"{server!r}: the port is not a number from 1 to 65535"
    host = parts.hostname or ""
    if parts.path or parts.query or parts.fragment or parts.username is not None or not _is_host(host):
        return f"{server!r} is not host[:port], such as vcenter.example.com or 10.0.0.5:443"
    return None


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(HOSTNAME.match(host))


def validate(cluster: Any, instance_groups: list[Any]) -> list[FieldError]:
    spec = cluster.spec
    if spec.cloudProvider != "vsphere":
        return []
    errors: list[FieldError] = []
    doc = f"Cluster/{cluster.metadata.name}" if cluster.metadata.name else "Cluster"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    config = spec.cloudConfig
    for _, flag, variable, key, what in SETTINGS:
        value = getattr(config, key) if config is not None else None
        if not value:
            add(f"spec.cloudConfig.{key}", f"required: {what} ({flag}, or {variable})")
    server = config.vSphereServer if config is not None else None
    problem = server_problem(server) if server else None
    if problem:
        add("spec.cloudConfig.vSphereServer", problem)
    for key, reason in UNSET.items():
        if config is not None and getattr(config, key) is not None:
            add(f"spec.cloudConfig.{key}", reason)

    if spec.api is not None and spec.api.loadBalancer is not None:
        add("spec.api.loadBalancer", "vSphere has no load balancer service: the API is reached at the control "
                                     "plane's addresses (spec.api.dns)")
    topology = spec.topology
    dns_type = topology.dns.type if topology is not None and topology.dns is not None else None
    if dns_type in ("Public", "Private"):
        add("spec.topology.dns.type", f"unsupported on vSphere: {dns_type}; kops publishes no DNS records there "
                                      "(dns-controller has no provider for it), so use None")
    if spec.additionalNetworkCIDRs:
        add("spec.additionalNetworkCIDRs", "vsphere does not support additionalNetworkCIDRs")
    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", NVIDIA_ELSEWHERE)

    for i, subnet in enumerate(spec.subnets or []):
        path = f"spec.subnets[{i}]"
        if not subnet.zone:
            add(f"{path}.zone", "required: the compute cluster the subnet's VMs run in")
        else:
            problem = zone_problem(subnet.zone)
            if problem:
                add(f"{path}.zone", f"invalid vSphere zone {subnet.zone!r}: expected {problem}")
        if subnet.region:
            add(f"{path}.region", "vSphere subnets have no region: the datacenter is spec.cloudConfig.vSphereDatacenter")
        if subnet.type is not None and subnet.type != "Public":
            add(f"{path}.type", f"unsupported on vSphere: {subnet.type}; VMs sit on the network their port group "
                                "gives them, with no NAT gateway, so every subnet is Public")
        if subnet.id:
            add(f"{path}.id", "vSphere has no subnets to share: name the network (port group) with networkID")
        if subnet.ipv6CIDR:
            add(f"{path}.ipv6CIDR", "ipv6CIDR can only be specified for AWS")

    for group in instance_groups:
        errors += _validate_group(group)
    return errors


def _nvidia_enabled(spec: Any) -> bool:
    containerd = spec.containerd
    return bool(containerd is not None and containerd.nvidiaGPU is not None and containerd.nvidiaGPU.enabled)


def _validate_group(group: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    doc = f"InstanceGroup/{group.metadata.name}" if group.metadata.name else "InstanceGroup"

    def add(path: str, reason: str) -> None:
        errors.append(ManifestError(path, reason, document=doc))

    spec = group.spec
    if not spec.image:
        add("spec.image", "required on vSphere: the VM template to clone (--image); release channels list none")
    if spec.role == "APIServer":
        add("spec.role", "the APIServer role is supported only on AWS and GCE")
    if _nvidia_enabled(spec):
        add("spec.containerd.nvidiaGPU", NVIDIA_ELSEWHERE)
    for i, zone in enumerate(spec.zones or []):
        problem = zone_problem(zone)
        if problem:
            add(f"spec.zones[{i}]", f"invalid vSphere zone {zone!r}: expected {problem}")
    return errors
