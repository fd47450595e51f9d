"""``nodelocaldns.addons.k8s.io``: a DNS cache on every node, listening on a link-local address.

Core points kubelets' ``clusterDNS`` at ``spec.kubeDNS.nodeLocalDNS.localIP`` when the cache is enabled, so
without this daemon set pods would ask an address nobody serves. The cache answers from memory and sends
misses for the cluster domain and reverse zones over TCP to CoreDNS (``spec.kubeDNS.serverIP``, the tenth
address of the service range); other names go to the node's own resolvers, or to CoreDNS too with
``forwardToKubeDNS``. Like upstream it binds only the local address and adds no iptables rules (kubelets are
told the address directly). ``externalCoreFile`` replaces the generated Corefile, ``additionalConfig`` is
appended to it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kops.addons import Addon, facts
from kops.addons.facts import section_enabled as is_enabled
from kops.addons.render import render
from kops.errors import FieldError

NAME = "nodelocaldns.addons.k8s.io"
PATH = "spec.kubeDNS.nodeLocalDNS"
#: The port of the cache's health endpoint on the local address (upstream's well-known port).
HEALTH_PORT = 3989


def _config(cluster: Any) -> Any:
    return cluster.spec.kubeDNS.nodeLocalDNS if cluster.spec.kubeDNS else None


def enabled(cluster: Any) -> bool:
    return is_enabled(_config(cluster))


def validate(cluster: Any) -> list[FieldError]:
    if not enabled(cluster):
        return []
    errors = []
    local_ip = _config(cluster).localIP
    if local_ip is not None:
        try:
            ipaddress.ip_address(str(local_ip))
        except ValueError:
            errors.append(FieldError(f"{PATH}.localIP", f"{local_ip!r} is not an IP address"))
    # The cache forwards to the CoreDNS service and reads its Corefile conventions; kube-dns is not supported.
    provider = cluster.spec.kubeDNS.provider
    if provider not in (None, "CoreDNS"):
        errors.append(FieldError("spec.kubeDNS.provider", f"node-local DNS needs CoreDNS, not {provider!r}"))
    return errors


def addon(cluster: Any) -> Addon:
    config = _config(cluster)
    dns = cluster.spec.kubeDNS
    local_ip = str(config.localIP)
    values = {
        "image": config.image,
        "local_ip": local_ip,
        # The health address is host:port, bracketed for IPv6.
        "health_address": f"[{local_ip}]:{HEALTH_PORT}" if ":" in local_ip else f"{local_ip}:{HEALTH_PORT}",
        "health_port": HEALTH_PORT,
        "kube_dns_ip": dns.serverIP or facts.service_ip(cluster, 10),
        "domain": dns.domain or cluster.spec.clusterDNSDomain or "cluster.local",
        "forward_to_kube_dns": bool(config.forwardToKubeDNS),
        # IPv6-only pods reach IPv4-only names through DNS64 answers (the VPC's NAT64 serves them).
        "dns64": facts.ipv6_only(cluster),
        "external_corefile": config.externalCoreFile,
        "additional_config": config.additionalConfig,
        "cpu_request": str(config.cpuRequest or "25m"),
        "memory_request": str(config.memoryRequest or "5Mi"),
        "pod_annotations": {str(k): str(v) for k, v in (config.podAnnotations or {}).items()},
    }
    return Addon(name=NAME, version=config.image.rpartition(":")[2],
                 manifest=render("kops_addons", "node-local-dns.yaml.j2", values))
