"""``dns-controller.addons.k8s.io``: keeps the cluster's DNS records (``api.``, ``api.internal.``, etcd peers)
pointing at the machines that serve them, from annotations on nodes, pods and services.

Only clusters that publish their names in a DNS zone (``spec.topology.dns.type`` Public or Private) run
it, and only while ``spec.externalDns`` does not hand the job to external-dns. It runs on the control
plane with the host's network, before cluster DNS exists, talking to the local API server.

Its service account (``kube-system/dns-controller``) asks for the cloud plugin's ``dns-controller`` permission
set: where service accounts get cloud identities of their own, that identity may change the cluster's records.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount, facts
from kops.addons.render import render
from kops.addons.versions import DNS_CONTROLLER_IMAGE
from kops.errors import KopsError

NAME = "dns-controller.addons.k8s.io"
#: The service account it runs as, and the permission set it needs on the clouds whose plugins define one.
SERVICE_ACCOUNT = ServiceAccount("kube-system", "dns-controller", "dns-controller")


def applies(cluster: Any) -> bool:
    external = cluster.spec.externalDns
    provider = external.provider if external is not None else None
    return facts.publishes_dns(cluster) and provider in (None, "", "dns-controller")


def addon(cluster: Any) -> Addon:
    external = cluster.spec.externalDns
    values = {
        "image": DNS_CONTROLLER_IMAGE,
        "args": argv(cluster),
        "env": [("KUBERNETES_SERVICE_HOST", "127.0.0.1"), *facts.proxy_env(cluster)],
        "priority_class": (external.priorityClassName if external is not None else None) or "system-cluster-critical",
    }
    return Addon(name=NAME, version=DNS_CONTROLLER_IMAGE.rpartition(":")[2],
                 manifest=render("kops.addons", "dns-controller.yaml.j2", values), service_accounts=[SERVICE_ACCOUNT])


def argv(cluster: Any) -> list[str]:
    """dns-controller's flags: what to watch, which provider and zones, which addresses to publish."""
    spec = cluster.spec
    external = spec.externalDns
    args = [f"--watch-ingress={'true' if external is not None and external.watchIngress else 'false'}"]
    if external is not None and external.watchNamespace:
        args.append(f"--watch-namespace={external.watchNamespace}")
    from kops.plugins import load_driver

    provider = load_driver("cloud", spec.cloudProvider).dns_controller_provider if spec.cloudProvider else ""
    if not provider:
        raise KopsError(f"spec.cloudProvider: dns-controller has no DNS provider for cloud {spec.cloudProvider!r}; "
                        "use --dns none")
    args.append(f"--dns={provider}")
    if spec.dnsZone:
        # A zone is matched by name when it looks like one, else by its ID.
        args.append(f"--zone={spec.dnsZone}" if "." in spec.dnsZone else f"--zone=*/{spec.dnsZone}")
    args.append("--internal-ipv6" if facts.ipv6_only(cluster) else "--internal-ipv4")
    # Records of other zones the cluster's names fall in may be updated too.
    args += ["--zone=*/*", "-v=2"]
    return args
