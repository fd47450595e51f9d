"""``coredns.addons.k8s.io``: cluster DNS, and the autoscaler that sizes it to the cluster.

The Service takes the address kubelets hand to pods as their resolver (``spec.kubeDNS.serverIP``, the
tenth address of the service range), and answers for ``spec.kubeDNS.domain``. CoreDNS's replica count
belongs to the cluster-proportional autoscaler; ``spec.kubeDNS.replicas`` sets the autoscaler's floor
rather than the Deployment's count, so the two never fight over ``spec.replicas``.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, facts
from kops.addons.render import render
from kops.addons.versions import COREDNS_IMAGE, CPA_IMAGE

NAME = "coredns.addons.k8s.io"


def applies(cluster: Any) -> bool:
    dns = cluster.spec.kubeDNS
    return ((dns.provider if dns is not None else None) or "CoreDNS") == "CoreDNS"


def addon(cluster: Any) -> Addon:
    values = _values(cluster)
    manifest = render("kops.addons", "coredns.yaml.j2", values)
    return Addon(name=NAME, version=values["image"].rpartition(":")[2], manifest=manifest)


def _values(cluster: Any) -> dict[str, Any]:
    from kops.api.dns import KubeDNSConfig

    dns = cluster.spec.kubeDNS or KubeDNSConfig()
    spec = cluster.spec
    domain = dns.domain or spec.clusterDNSDomain or "cluster.local"
    scaling = {"coresPerReplica": 256, "nodesPerReplica": 16, "preventSinglePointFailure": True}
    if dns.replicas:
        scaling["min"] = dns.replicas
    return {
        "image": dns.coreDNSImage or COREDNS_IMAGE,
        "autoscaler_image": dns.cpaImage or CPA_IMAGE,
        "server_ip": dns.serverIP or facts.service_ip(cluster, 10),
        "domain": domain,
        "external_corefile": dns.externalCoreFile,
        # Without DNS records, names such as the API's are in each node's /etc/hosts; CoreDNS serves them.
        "serve_hosts": not facts.publishes_dns(cluster),
        "forward_to": " ".join(dns.upstreamNameservers or []) or "/etc/resolv.conf",
        "stub_domains": {zone: " ".join(servers) for zone, servers in sorted((dns.stubDomains or {}).items())},
        "dns64": facts.ipv6_only(cluster),
        "memory_limit": str(dns.memoryLimit or "170Mi"),
        "cpu_request": str(dns.cpuRequest or "100m"),
        "memory_request": str(dns.memoryRequest or "70Mi"),
        "pod_annotations": dict(dns.podAnnotations or {}),
        "tolerations": [t.to_dict() for t in dns.tolerations] if dns.tolerations else None,
        "affinity": dns.affinity.to_dict() if dns.affinity is not None else None,
        "zone_spread": _has_zones(cluster),
        "autoscaler_params": {"linear": scaling},
    }


def _has_zones(cluster: Any) -> bool:
    """Whether replicas can spread over zones: on every cloud with zones (not bare metal)."""
    from kops.plugins import PluginNotInstalled, load_driver

    try:
        return bool(load_driver("cloud", cluster.spec.cloudProvider).has_zones)
    except PluginNotInstalled:
        return True
