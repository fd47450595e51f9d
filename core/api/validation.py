"""Checks a Cluster and its InstanceGroups before anything is built from them.

Loading (``load_objects``) only guarantees that fields exist and have the right types; this module checks
that the values make sense together: CIDRs parse and nest, names are unique and DNS-valid, references
between objects resolve. Every problem is returned (not just the first) so a user can fix a manifest in one
pass. Cloud-specific rules belong to cloud plugins; ``cloud`` only refines the checks that differ by cloud.
"""

import ipaddress
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kops.errors import FieldError

from .cluster import Cluster
from .errors import ManifestError
from .instancegroup import InstanceGroup

if TYPE_CHECKING:
    from kops.cloud import CloudProvider

# Kubernetes minor versions this release of kops can build clusters for (inclusive).
MIN_KUBERNETES_VERSION = (1, 28)
MAX_KUBERNETES_VERSION = (1, 36)

SUBNET_TYPES = ("Public", "Private", "Utility", "DualStack")
CONTROL_PLANE_ROLES = ("ControlPlane", "Master")
ROLES = (*CONTROL_PLANE_ROLES, "Node", "Bastion", "APIServer")
DNS_TYPES = ("Public", "Private", "None")
TOPOLOGIES = ("public", "private")
ETCD_CLUSTER_NAMES = ("main", "events", "cilium", "leases")
# Providers still accepted by the models so old manifests load, but no longer installable.
REMOVED_NETWORKING = ("classic", "weave", "romana", "lyftvpc")
#: The access lists: CIDRs (or managed prefix lists) allowed to reach SSH, the API and node ports.
ACCESS_FIELDS = ("sshAccess", "kubernetesApiAccess", "nodePortAccess")

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_KUBERNETES_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_VERSION_IN_URL = re.compile(r"/v(\d+)\.(\d+)\.(\d+)")
_HAS_PREFIX = re.compile(r"/[0-9]{1,3}$")
_IPV6_ALLOCATION = re.compile(r"^/(\d+)#[0-9a-f]+$")
PREFIX_LIST = re.compile(r"^pl-[0-9a-f]+$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _Report:
    """Collects the problems of one object, labelled with the object they belong to."""

    def __init__(self, document: str):
        self.document = document
        self.errors: list[FieldError] = []

    def add(self, path: str, reason: str) -> None:
        self.errors.append(ManifestError(path, reason, document=self.document))

    def cidr(self, path: str, value: str) -> Network | None:
        """Parse ``value`` as a network address with prefix; report why not and return None if it isn't one."""
        if _HAS_PREFIX.search(value):
            try:
                return ipaddress.ip_network(value)
            except ValueError:
                pass
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            network = None
        if network is not None and "/" in value:
            self.add(path, f'{value!r} has bits set outside its prefix (did you mean "{network}"?)')
        elif network is not None:
            self.add(path, f'{value!r} is not a valid CIDR (did you mean "{value}/{network.max_prefixlen}"?)')
        else:
            self.add(path, f"{value!r} is not a valid CIDR")
        return None


def dns_name_problem(name: str) -> str | None:
    """Why ``name`` is not a DNS subdomain name (RFC 1123), or None if it is one."""
    if len(name) > 253:
        return f"must be at most 253 characters (it has {len(name)})"
    for label in name.split("."):
        if len(label) > 63:
            return f"label {label!r} must be at most 63 characters"
        if not _DNS_LABEL.match(label):
            return "must consist of lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"
    return None


def kubernetes_version(value: str) -> tuple[int, int, int] | None:
    """The (major, minor, patch) of a version such as ``v1.32.0``, ``1.32.0`` or a release URL naming one."""
    match = _KUBERNETES_VERSION.match(value)
    if match is None and value.startswith(("https://", "http://")):
        match = _VERSION_IN_URL.search(value)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def validate(
    cluster: Cluster, instance_groups: Sequence[InstanceGroup], cloud: "CloudProvider | None" = None
) -> list[FieldError]:
    """Every problem found in the cluster and its instance groups; empty when they are consistent."""
    report = _Report(f"Cluster/{cluster.name}" if cluster.name else "Cluster")
    _check_cluster_name(report, cluster)
    _check_kubernetes_version(report, cluster)
    _check_network(report, cluster, cloud)
    _check_access(report, cluster)
    _check_topology(report, cluster)
    _check_networking(report, cluster)
    _check_etcd(report, cluster, instance_groups)
    _check_node_values(report, cluster)
    _check_rolling_update(report, cluster.spec.rollingUpdate, control_plane=False)
    errors = report.errors
    seen: set[str] = set()
    for group in instance_groups:
        errors += _check_instance_group(group, cluster, seen)
    return errors


def _check_node_values(report: _Report, obj: Cluster | InstanceGroup) -> None:
    from .node_validation import problems

    for path, reason in problems(obj.to_dict()):
        report.add(path, reason)


def _check_rolling_update(report: _Report, settings: Any, control_plane: bool) -> None:
    """``spec.rollingUpdate``, as upstream: counts or percentages, never negative; a control plane cannot surge."""
    if settings is None:
        return
    for field in ("maxUnavailable", "maxSurge"):
        value = getattr(settings, field)
        if value is None:
            continue
        text = str(value).strip()
        number = text[:-1] if text.endswith("%") else text
        try:
            amount = float(number) if text.endswith("%") else int(number)
        except ValueError:
            report.add(f"spec.rollingUpdate.{field}", f"{text!r} is not a number or a percentage (2, 25%)")
            continue
        if amount < 0:
            report.add(f"spec.rollingUpdate.{field}", "cannot be negative")
        elif field == "maxSurge" and control_plane and amount != 0:
            report.add("spec.rollingUpdate.maxSurge", "a control-plane group cannot surge (its machines register "
                       "through their own API server and etcd member)")


def _check_cluster_name(report: _Report, cluster: Cluster) -> None:
    name = cluster.metadata.name
    if not name:
        report.add("metadata.name", "required: the cluster's DNS name, e.g. k8s.example.com")
        return
    problem = dns_name_problem(name)
    if problem:
        report.add("metadata.name", f"{name!r} is not a valid DNS name: {problem}")
    elif "." not in name and not _uses_no_dns(cluster):
        report.add("metadata.name", f"{name!r} must be a fully-qualified DNS name, e.g. {name}.example.com")


def _uses_no_dns(cluster: Cluster) -> bool:
    topology = cluster.spec.topology
    return bool(topology and topology.dns and topology.dns.type == "None")


def _check_kubernetes_version(report: _Report, cluster: Cluster) -> None:
    value = cluster.spec.kubernetesVersion
    if value is None:
        return  # taken from the channel when the cluster is completed
    version = kubernetes_version(value)
    if version is None:
        report.add("spec.kubernetesVersion", f"{value!r} is not a Kubernetes version such as v1.32.0")
        return
    low, high = MIN_KUBERNETES_VERSION, MAX_KUBERNETES_VERSION
    if not low <= version[:2] <= high:
        report.add(
            "spec.kubernetesVersion",
            f"Kubernetes {version[0]}.{version[1]} is not supported: use a version from {low[0]}.{low[1]} to {high[0]}.{high[1]}",
        )


def _check_network(report: _Report, cluster: Cluster, cloud: "CloudProvider | None") -> None:
    spec = cluster.spec
    parsed = [_ipv4(report, "spec.networkCIDR", spec.networkCIDR)] if spec.networkCIDR is not None else []
    for i, value in enumerate(spec.additionalNetworkCIDRs or []):
        parsed.append(_ipv4(report, f"spec.additionalNetworkCIDRs[{i}]", value))
    ranges: dict[str, Network | None] = {}
    for field in ("nonMasqueradeCIDR", "serviceClusterIPRange", "podCIDR"):
        value = getattr(spec, field)
        if value is not None:
            ranges[field] = report.cidr(f"spec.{field}", value)
    # Pods take addresses from the VPC under the AWS VPC CNI, so only then may they share the subnets' range.
    pods_in_vpc = spec.networking is not None and spec.networking.amazonvpc is not None
    reserved = {name: net for name, net in ranges.items() if net and name != "nonMasqueradeCIDR"}
    if pods_in_vpc:
        reserved.pop("podCIDR", None)
    _check_subnets(report, cluster, [n for n in parsed if n], reserved, cloud)
    masquerade = ranges.get("nonMasqueradeCIDR")
    # Pods outside the network are masqueraded; only CNIs that give pods the network's own addresses may overlap.
    pods_are_network = pods_in_vpc or (spec.networking is not None and spec.networking.cilium is not None
                                       and spec.networking.cilium.ipam == "eni")
    for network in parsed if not pods_are_network else []:
        if network is not None and masquerade is not None and network.version == masquerade.version \
                and network.overlaps(masquerade):
            report.add("spec.nonMasqueradeCIDR", f"{masquerade} overlaps the network's {network}: pods' addresses "
                                                 "must not be the network's own")


def _ipv4(report: _Report, path: str, value: str) -> Network | None:
    """A network CIDR, which is IPv4 (a cloud assigns a network's IPv6 block itself)."""
    network = report.cidr(path, value)
    if network is not None and network.version != 4:
        report.add(path, f"{value!r} is an IPv6 CIDR: the network's CIDR is IPv4 (its IPv6 block comes from the "
                         "cloud)")
        return None
    return network


def _check_subnets(
    report: _Report,
    cluster: Cluster,
    networks: list[Network],
    reserved: dict[str, Network],
    cloud: "CloudProvider | None",
) -> None:
    names: dict[str, int] = {}
    placed: list[tuple[int, Network]] = []
    subnets = cluster.spec.subnets or []
    for i, subnet in enumerate(subnets):
        path = f"spec.subnets[{i}]"
        # As upstream: a cluster's subnets are all shared (given by ID) or all its own, never some of each.
        if bool(subnet.id) != bool(subnets[0].id):
            report.add(f"{path}.id", "cannot mix subnets with an id (shared) and without one (made by kops)")
        if not subnet.name:
            report.add(f"{path}.name", "required")
        elif subnet.name in names:
            report.add(
                f"{path}.name", f"duplicate subnet name {subnet.name!r} (also spec.subnets[{names[subnet.name]}])"
            )
        else:
            names[subnet.name] = i
        if subnet.type is None:
            report.add(f"{path}.type", f"required: one of {', '.join(SUBNET_TYPES)}")
        elif subnet.type not in SUBNET_TYPES:
            report.add(f"{path}.type", f"unsupported value {subnet.type!r}: must be one of {', '.join(SUBNET_TYPES)}")
        if not subnet.id:  # a shared subnet's location may be left to its cloud (kops.validation checks which)
            _check_subnet_location(report, path, subnet.zone, subnet.region, cloud)
        if subnet.cidr is not None:
            network = _ipv4(report, f"{path}.cidr", subnet.cidr)
            if network is not None:
                _place_subnet(report, f"{path}.cidr", network, networks, reserved, placed)
                placed.append((i, network))
        if subnet.ipv6CIDR is not None and not _IPV6_ALLOCATION.match(subnet.ipv6CIDR):
            network = report.cidr(f"{path}.ipv6CIDR", subnet.ipv6CIDR)
            if network is not None and network.version != 6:
                report.add(f"{path}.ipv6CIDR", f"{subnet.ipv6CIDR!r} is not an IPv6 CIDR")
        for j, route in enumerate(subnet.additionalRoutes or []):
            if route.cidr is not None:
                report.cidr(f"{path}.additionalRoutes[{j}].cidr", route.cidr)


def _check_subnet_location(
    report: _Report, path: str, zone: str | None, region: str | None, cloud: "CloudProvider | None"
) -> None:
    if cloud is None:
        if not zone and not region:
            report.add(
                f"{path}.zone", "required: the zone (or, on clouds with regional subnets, the region) of the subnet"
            )
    elif cloud.regional_subnets:
        if not region:
            report.add(f"{path}.region", f"required: subnets on {cloud.name} belong to a region")
    elif not zone:
        report.add(f"{path}.zone", "required")


def _place_subnet(
    report: _Report,
    path: str,
    network: Network,
    networks: list[Network],
    reserved: dict[str, Network],
    placed: list[tuple[int, Network]],
) -> None:
    """Report a subnet CIDR outside the cluster's networks or overlapping another range."""
    same_family = [n for n in networks if n.version == network.version]
    if same_family and not any(network.subnet_of(n) for n in same_family):  # type: ignore[arg-type]
        where = " or any of spec.additionalNetworkCIDRs" if len(networks) > 1 else ""
        report.add(path, f"{network} is not inside spec.networkCIDR{where}")
    for name, other in reserved.items():
        if other.version == network.version and network.overlaps(other):
            report.add(path, f"{network} overlaps spec.{name} {other}")
    for j, other in placed:
        if other.version == network.version and network.overlaps(other):
            report.add(path, f"{network} overlaps spec.subnets[{j}].cidr {other}")


def _check_access(report: _Report, cluster: Cluster) -> None:
    """Each access entry is a CIDR or a managed prefix list (whether the cloud has those, kops.validation checks)."""
    for field in ACCESS_FIELDS:
        for i, value in enumerate(getattr(cluster.spec, field) or []):
            if not PREFIX_LIST.match(value):
                report.cidr(f"spec.{field}[{i}]", value)


def _check_topology(report: _Report, cluster: Cluster) -> None:
    topology = cluster.spec.topology
    if topology is None:
        return
    for field in ("masters", "nodes"):
        value = getattr(topology, field)
        if value is not None and value not in TOPOLOGIES:
            report.add(f"spec.topology.{field}", f"unsupported value {value!r}: must be one of {', '.join(TOPOLOGIES)}")
    if topology.dns is not None and topology.dns.type not in DNS_TYPES:
        report.add(
            "spec.topology.dns.type", f"unsupported value {topology.dns.type!r}: must be one of {', '.join(DNS_TYPES)}"
        )


def _check_networking(report: _Report, cluster: Cluster) -> None:
    networking = cluster.spec.networking
    chosen = [name for name, value in networking if value is not None] if networking is not None else []
    if not chosen:
        report.add("spec.networking", "exactly one networking option must be set, e.g. cni: {} or calico: {}")
    elif len(chosen) > 1:
        report.add("spec.networking", f"only one networking option may be set, found {', '.join(chosen)}")
    for name in chosen:
        if name in REMOVED_NETWORKING:
            report.add(f"spec.networking.{name}", f"{name} networking is no longer supported; choose another provider")


def _check_etcd(report: _Report, cluster: Cluster, instance_groups: Sequence[InstanceGroup]) -> None:
    roles = {group.name: group.spec.role for group in instance_groups}
    names: set[str] = set()
    for i, etcd in enumerate(cluster.spec.etcdClusters or []):
        path = f"spec.etcdClusters[{i}]"
        if not etcd.name:
            report.add(f"{path}.name", "required")
        elif etcd.name in names:
            report.add(f"{path}.name", f"duplicate etcd cluster name {etcd.name!r}")
        elif etcd.name not in ETCD_CLUSTER_NAMES:
            report.add(
                f"{path}.name", f"unsupported value {etcd.name!r}: must be one of {', '.join(ETCD_CLUSTER_NAMES)}"
            )
        names.add(etcd.name or "")
        members = etcd.etcdMembers or []
        if not members:
            report.add(f"{path}.etcdMembers", "at least one member is required")
        elif len(members) % 2 == 0:
            report.add(
                f"{path}.etcdMembers", f"{len(members)} members cannot keep quorum: use an odd number (1, 3 or 5)"
            )
        member_names: set[str] = set()
        for j, member in enumerate(members):
            member_path = f"{path}.etcdMembers[{j}]"
            if not member.name:
                report.add(f"{member_path}.name", "required")
            elif member.name in member_names:
                report.add(f"{member_path}.name", f"duplicate member name {member.name!r}")
            member_names.add(member.name or "")
            group = member.instanceGroup
            if not group:
                report.add(f"{member_path}.instanceGroup", "required")
            elif group not in roles:
                report.add(f"{member_path}.instanceGroup", f"instance group {group!r} does not exist")
            elif roles[group] not in CONTROL_PLANE_ROLES:
                report.add(
                    f"{member_path}.instanceGroup",
                    f"instance group {group!r} has role {roles[group]}, not ControlPlane",
                )


def _check_instance_group(group: InstanceGroup, cluster: Cluster, seen: set[str]) -> list[FieldError]:
    from kops.inference.instance_groups import inferred_subnets

    report = _Report(f"InstanceGroup/{group.name}" if group.name else "InstanceGroup")
    name = group.metadata.name
    if not name:
        report.add("metadata.name", "required")
    elif name in seen:
        report.add("metadata.name", f"duplicate instance group name {name!r}")
    elif problem := dns_name_problem(name):
        report.add("metadata.name", f"{name!r} is not a valid name: {problem}")
    seen.add(name or "")
    _check_node_values(report, group)

    spec = group.spec
    if spec.role is None:
        report.add("spec.role", f"required: one of {', '.join(ROLES)}")
    elif spec.role not in ROLES:
        report.add("spec.role", f"unsupported value {spec.role!r}: must be one of {', '.join(ROLES)}")
    if spec.minSize is not None and spec.maxSize is not None and spec.minSize > spec.maxSize:
        report.add("spec.maxSize", f"must be at least minSize ({spec.maxSize} < {spec.minSize})")
    _check_rolling_update(report, spec.rollingUpdate, control_plane=spec.role in ("ControlPlane", "Master"))

    subnets = {subnet.name for subnet in cluster.spec.subnets or []}
    if not spec.subnets:
        if spec.role in CONTROL_PLANE_ROLES:
            report.add("spec.subnets", "required: a control-plane group names the subnets of its machines")
        elif spec.role in ROLES and not inferred_subnets(spec.role, [s.to_dict() for s in cluster.spec.subnets or []],
                                                         ":" in (cluster.spec.nonMasqueradeCIDR or "")):
            report.add("spec.subnets", "required: the cluster has no subnet (other than utility ones) to place the "
                                       "group in")
    for i, subnet in enumerate(spec.subnets or []):
        if subnet not in subnets:
            known = ", ".join(sorted(s for s in subnets if s)) or "none"
            report.add(f"spec.subnets[{i}]", f"subnet {subnet!r} is not defined in the cluster (known: {known})")
    return report.errors
