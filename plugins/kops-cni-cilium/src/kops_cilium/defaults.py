"""Cilium's defaults, as upstream kOps completes ``spec.networking.cilium``.

One table serves two readers: the ``complete``-stage inference rule that writes the defaults into the
completed spec, and the add-on, firewall and validation code, which read the effective settings of any
cluster (completed or not) through :func:`effective`.
"""

from __future__ import annotations

import copy
from typing import Any

from kops.inference import InferenceContext, rule, tree

#: The Cilium release kops installs unless ``spec.networking.cilium.version`` says otherwise.
CILIUM_VERSION = "v1.18.12"


def is_ipv6_only(non_masquerade_cidr: str | None) -> bool:
    """Upstream's test for an IPv6-only cluster: its non-masquerade CIDR is an IPv6 range."""
    return ":" in (non_masquerade_cidr or "")


def defaults(cilium: dict[str, Any], ipv6_only: bool) -> dict[str, Any]:
    """The value of every field upstream defaults, by dotted path under ``spec.networking.cilium``.

    Some defaults follow from what the user chose: ENI IPAM and IPv6 route natively (no tunnel), ENI
    masquerades in eBPF, and an optional section (hubble, ingress, gatewayAPI) the user wrote is enabled.
    """
    ipam = cilium.get("ipam") or "kubernetes"
    values: dict[str, Any] = {
        "version": CILIUM_VERSION,
        "enableEndpointHealthChecking": True,
        "enableHostFirewall": False,
        "identityAllocationMode": "crd",
        "identityChangeGracePeriod": "5s",
        "bpfCTGlobalAnyMax": 262144,
        "bpfCTGlobalTCPMax": 524288,
        "bpfLBAlgorithm": "random",
        "bpfLBMaglevTableSize": "16381",
        "bpfNATGlobalMax": 524288,
        "bpfNeighGlobalMax": 524288,
        "bpfPolicyMapMax": 16384,
        "bpfLBMapMax": 65536,
        "clusterName": "default",
        "monitorAggregation": "medium",
        "sidecarIstioProxyImage": "cilium/istio_proxy",
        "toFqdnsDnsRejectResponseCode": "refused",
        "agentPrometheusPort": 9090,
        "ipam": ipam,
        "disableMasquerade": ipv6_only,
        "tunnel": "disabled" if ipam == "eni" or ipv6_only else "vxlan",
        "enableRemoteNodeIdentity": True,
        "enableUnreachableRoutes": False,
        "enableBPFMasquerade": ipam == "eni",
        "enableL7Proxy": True,
        "enableLocalRedirectPolicy": False,
        "disableCNPStatusUpdates": True,
        "cpuRequest": "25m",
        "memoryRequest": "128Mi",
        "cniExclusive": True,
    }
    if cilium.get("enableEncryption"):
        values["encryptionType"] = "ipsec"
    for section in ("hubble", "ingress", "gatewayAPI"):
        values[section + ".enabled"] = cilium.get(section) is not None
    return values


def cilium_of(cluster: Any) -> Any:
    """The cluster's ``spec.networking.cilium`` model, or None when Cilium is not its networking."""
    networking = cluster.spec.networking
    return networking.cilium if networking is not None else None


def effective(cluster: Any) -> dict[str, Any]:
    """The cluster's Cilium settings with every default filled in, as a tree with upstream's field names."""
    settings = copy.deepcopy(cilium_of(cluster).to_dict())
    for path, value in defaults(settings, is_ipv6_only(cluster.spec.nonMasqueradeCIDR)).items():
        tree.default(settings, path, value)
    return settings


@rule("complete", 30)
def cilium_defaults(ctx: InferenceContext) -> None:
    """Fill ``spec.networking.cilium`` with upstream's defaults; with node-port replacement, keep kube-proxy off."""
    cilium = ctx.get("spec.networking.cilium")
    if cilium is None:
        return
    for path, value in defaults(cilium, is_ipv6_only(ctx.get("spec.nonMasqueradeCIDR"))).items():
        ctx.default("spec.networking.cilium." + path, value)
    if cilium.get("enableNodePort"):
        ctx.default("spec.kubeProxy.enabled", False)
