"""Complete-stage rules for the kubelets: ``spec.kubelet`` (every node) and ``spec.masterKubelet`` (control plane).

The control-plane kubelet starts as a copy of the user's node kubelet settings with the control-plane
ones on top, so a setting made once for all kubelets reaches the control plane too.
"""

from __future__ import annotations

import copy
from typing import Any

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import require_version, service_ip

EVICTION_HARD = ",".join([
    "memory.available<100Mi",
    "nodefs.available<10%",
    "nodefs.inodesFree<5%",
    "imagefs.available<10%",
    "imagefs.inodesFree<5%",
])
#: Clusters labelled with this cloud run on machines kops does not provision (no cloud provider at all).
CLOUD_LABEL = "alpha.kops.k8s.io/cloud"


@rule("complete", 2)
def control_plane_kubelet_inherits(ctx: InferenceContext) -> None:
    """Runs before any kubelet default, so only what the user wrote is inherited."""
    nodes = ctx.spec.get("kubelet")
    if nodes:
        ctx.spec["masterKubelet"] = _overlay(copy.deepcopy(nodes), ctx.spec.get("masterKubelet") or {})


def _overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: maps merge key by key, anything else in ``top`` replaces."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        elif value is not None:
            base[key] = copy.deepcopy(value)
    return base


@rule("complete", 50)
def kubelet_settings(ctx: InferenceContext) -> None:
    ctx.default("spec.kubelet", {})
    ctx.default("spec.masterKubelet", {})
    for path in ("spec.kubelet", "spec.masterKubelet"):
        _defaults(ctx, path)


def _defaults(ctx: InferenceContext, path: str) -> None:
    version = require_version(ctx)
    ctx.default(f"{path}.enableDebuggingHandlers", True)
    ctx.default(f"{path}.podManifestPath", "/etc/kubernetes/manifests")
    ctx.default(f"{path}.logLevel", 2)
    ctx.default(f"{path}.clusterDomain", ctx.spec.get("clusterDNSDomain"))
    ctx.default(f"{path}.clusterDNS", _cluster_dns(ctx))
    ctx.default(f"{path}.evictionHard", EVICTION_HARD)
    ctx.default(f"{path}.kubeconfigPath", "/var/lib/kubelet/kubeconfig")
    ctx.default(f"{path}.cgroupRoot", "/")
    if (ctx.get("metadata.labels") or {}).get(CLOUD_LABEL) != "metal":
        # In-tree cloud providers are gone: the cloud controller manager does the cloud's part.
        ctx.default(f"{path}.cloudProvider", "external")
    ctx.default(f"{path}.cgroupDriver", "systemd")
    ctx.default(f"{path}.protectKernelDefaults", True)
    if ctx.get("spec.networking.amazonvpc") is not None:
        # Pods keep VPC addresses across a node shutdown only if the node does not wait for them.
        ctx.default(f"{path}.shutdownGracePeriod", "0s")
        ctx.default(f"{path}.shutdownGracePeriodCriticalPods", "0s")
    elif ctx.get(f"{path}.shutdownGracePeriod") is None:
        ctx.default(f"{path}.shutdownGracePeriod", "30s")
        ctx.default(f"{path}.shutdownGracePeriodCriticalPods", "10s")
    if version.is_lt("1.34.0"):
        ctx.default(f"{path}.registerSchedulable", True)


def _cluster_dns(ctx: InferenceContext) -> str:
    """Pods resolve names through the node-local cache when it is enabled, else through the DNS service."""
    local = ctx.get("spec.kubeDNS.nodeLocalDNS") or {}
    if local.get("enabled") and local.get("localIP"):
        return str(local["localIP"])
    return service_ip(ctx, 10)


@rule("complete", 49)
def isolated_control_plane(ctx: InferenceContext) -> None:
    """Control planes kept off the pod network serve no debugging endpoints and no hairpin traffic (before the
    general kubelet defaults, which would otherwise turn the endpoints on)."""
    if ctx.spec.get("isolateMasters"):
        ctx.default("spec.masterKubelet.enableDebuggingHandlers", False)
        ctx.default("spec.masterKubelet.hairpinMode", "none")
