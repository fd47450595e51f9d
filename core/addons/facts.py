"""What add-on manifests read from a completed cluster, decided once here for core's and plugins' templates.

Add-on hooks get the completed :class:`kops.api.Cluster`; the answers below (which DNS the cluster
publishes in, whether it is IPv6-only, the proxy its controllers go through) are asked by several
add-ons, and must agree with what the inference rules and the cloud model decided.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.errors import KopsError


def context(cluster: Any) -> Any:
    """The cluster as an inference context, so the completion's own readers (versions, images) can be asked."""
    from kops import api
    from kops.inference import InferenceContext

    return InferenceContext(cluster=api.to_dict(cluster))


def dns_type(cluster: Any) -> str:
    """``spec.topology.dns.type``; a cluster that names none publishes in public DNS, as upstream reads it."""
    topology = cluster.spec.topology
    dns = topology.dns if topology is not None else None
    return (dns.type if dns is not None else None) or "Public"


def publishes_dns(cluster: Any) -> bool:
    """Whether the cluster's names are DNS records (kept by dns-controller) rather than load-balancer only."""
    return dns_type(cluster) in ("Public", "Private") and not cluster.metadata.name.endswith(".k8s.local")


def ipv6_only(cluster: Any) -> bool:
    """IPv6-only clusters are those whose non-masquerade range is IPv6 (``::/0``)."""
    return ":" in str(cluster.spec.nonMasqueradeCIDR or "")


def kubernetes_minor(cluster: Any) -> str:
    """``1.35`` for a cluster running Kubernetes 1.35.x (or a custom build of it)."""
    from kops.inference.completion.facts import require_version

    version = require_version(context(cluster)).version
    return f"{version.major}.{version.minor}"


def service_ip(cluster: Any, offset: int) -> str:
    """The ``offset``-th address of the service range (the tenth is cluster DNS)."""
    text = str(cluster.spec.serviceClusterIPRange or "")
    try:
        return str(ipaddress.ip_network(text, strict=False).network_address + offset)
    except ValueError as exc:
        raise KopsError(f"spec.serviceClusterIPRange: invalid CIDR {text!r}") from exc


def control_plane_count(cluster: Any) -> int:
    """How many control-plane machines there are: one etcd member each, in the main etcd cluster."""
    for etcd in cluster.spec.etcdClusters or []:
        if etcd.name == "main":
            return len(etcd.etcdMembers or [])
    return 1


def proxy_env(cluster: Any) -> list[tuple[str, str]]:
    """``spec.egressProxy`` as the variables Go HTTP clients read, for controllers that call cloud APIs."""
    proxy = cluster.spec.egressProxy
    if proxy is None:
        return []
    env = []
    if proxy.httpProxy is not None and proxy.httpProxy.host:
        url = "http://" + proxy.httpProxy.host + (f":{proxy.httpProxy.port}" if proxy.httpProxy.port else "")
        env += [("http_proxy", url), ("https_proxy", url)]
    if proxy.excludes:
        env += [("no_proxy", proxy.excludes), ("NO_PROXY", proxy.excludes)]
    return env



def section_enabled(section: Any) -> bool:
    """Whether an add-on's spec section is present with ``enabled: true`` (upstream's opt-in rule)."""
    return section is not None and bool(section.enabled)


def region(cluster: Any) -> str:
    """The cluster's region, as its cloud driver computes it (:meth:`kops.cloud.CloudProvider.region`)."""
    from kops.plugins import load_driver

    return str(load_driver("cloud", cluster.spec.cloudProvider)().region(cluster))
