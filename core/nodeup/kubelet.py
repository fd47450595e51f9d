"""The kubelet: its configuration file, its flags, its unit, and the files it needs before it starts.

Most settings go into ``/var/lib/kubelet/kubelet.conf`` (a ``KubeletConfiguration``); the few that are still
flags only go into ``/etc/sysconfig/kubelet``, which the unit reads. Node labels are not passed: the API server
refuses labels a kubelet sets on itself in the ``kubernetes.io`` namespaces, so upstream has kops-controller
apply them, and they stay in the nodeup configuration for it.
"""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.nodeup import flagnames
from kops.nodeup.flags import build_flags
from kops.nodeup.yamlio import dump

BINARY = "/usr/local/bin/kubelet"
CONFIG_PATH = "/var/lib/kubelet/kubelet.conf"
SRV = "/srv/kubernetes"
CONTAINERD_SOCKET = "/run/containerd/containerd.sock"
SERVING_CERT, SERVING_KEY = f"{SRV}/kubelet-server.crt", f"{SRV}/kubelet-server.key"
KUBECONFIG = "/var/lib/kubelet/kubeconfig"

#: kops kubelet setting -> KubeletConfiguration field, for settings copied as they are.
DIRECT = {
    "cgroupDriver": "cgroupDriver", "cgroupRoot": "cgroupRoot", "tlsCipherSuites": "tlsCipherSuites",
    "tlsMinVersion": "tlsMinVersion", "clusterDomain": "clusterDomain",
    "enableDebuggingHandlers": "enableDebuggingHandlers", "hairpinMode": "hairpinMode",
    "podManifestPath": "staticPodPath", "volumePluginDirectory": "volumePluginDir",
    "kubeletCgroups": "kubeletCgroups", "systemCgroups": "systemCgroups", "podCIDR": "podCIDR",
    "resolvConf": "resolvConf", "serializeImagePulls": "serializeImagePulls",
    "maxParallelImagePulls": "maxParallelImagePulls", "allowedUnsafeSysctls": "allowedUnsafeSysctls",
    "cpuCFSQuota": "cpuCFSQuota", "cpuCFSQuotaPeriod": "cpuCFSQuotaPeriod", "cpuManagerPolicy": "cpuManagerPolicy",
    "registryPullQPS": "registryPullQPS", "topologyManagerPolicy": "topologyManagerPolicy",
    "rotateCertificates": "rotateCertificates", "containerLogMaxSize": "containerLogMaxSize",
    "containerLogMaxFiles": "containerLogMaxFiles", "podPidsLimit": "podPidsLimit",
    "imageGCHighThresholdPercent": "imageGCHighThresholdPercent",
    "imageGCLowThresholdPercent": "imageGCLowThresholdPercent", "imageMaximumGCAge": "imageMaximumGCAge",
    "nodeStatusUpdateFrequency": "nodeStatusUpdateFrequency", "nodeLeaseDurationSeconds": "nodeLeaseDurationSeconds",
    "seccompDefault": "seccompDefault", "kubeReserved": "kubeReserved", "kubeReservedCgroup": "kubeReservedCgroup",
    "systemReserved": "systemReserved", "systemReservedCgroup": "systemReservedCgroup", "failSwapOn": "failSwapOn",
    "evictionPressureTransitionPeriod": "evictionPressureTransitionPeriod",
    "evictionMaxPodGracePeriod": "evictionMaxPodGracePeriod", "eventRecordQPS": "eventRecordQPS",
    "eventQPS": "eventRecordQPS", "protectKernelDefaults": "protectKernelDefaults",
    "kernelMemcgNotification": "kernelMemcgNotification", "maxPods": "maxPods", "readOnlyPort": "readOnlyPort",
    "shutdownGracePeriod": "shutdownGracePeriod", "shutdownGracePeriodCriticalPods": "shutdownGracePeriodCriticalPods",
    "crashLoopBackOffMaxContainerRestartPeriod": "crashLoopBackOff.maxContainerRestartPeriod",
    "memorySwapBehavior": "memorySwap.swapBehavior", "logFormat": "logging.format",
    "anonymousAuth": "authentication.anonymous.enabled",
    "authenticationTokenWebhook": "authentication.webhook.enabled",
    "authorizationMode": "authorization.mode",
}


def kubelet_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The group's kubelet settings with what every node gets: the cluster CA for client certificates,
    webhook authentication and authorization, and a 15 minute runtime request timeout."""
    kubelet = dict(config.get("KubeletConfig") or {})
    kubelet["clientCaFile"] = f"{SRV}/ca.crt"
    kubelet.setdefault("runtimeRequestTimeout", "15m0s")
    kubelet.setdefault("volumePluginDirectory", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/")
    kubelet.setdefault("authorizationMode", "Webhook")
    kubelet.setdefault("authenticationTokenWebhook", True)
    kubelet.pop("nodeLabels", None)
    return kubelet


def kubelet_configuration(kubelet: dict[str, Any], runtime_socket: str, serving_cert: bool) -> dict[str, Any]:
    """The ``KubeletConfiguration`` (kubelet.config.k8s.io/v1beta1) for ``kubelet`` settings; without a
    ``serving_cert`` issued by nodeup the kubelet serves with a certificate it makes itself."""
    out: dict[str, Any] = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration"}
    for key, field in DIRECT.items():
        if kubelet.get(key) is not None:
            _set(out, field, kubelet[key])
    _set(out, "authentication.x509.clientCAFile", kubelet["clientCaFile"])
    if kubelet.get("clusterDNS"):
        out["clusterDNS"] = [s.strip() for s in str(kubelet["clusterDNS"]).split(",")]
    out["containerRuntimeEndpoint"] = f"unix://{runtime_socket}"
    if serving_cert:
        out["tlsCertFile"], out["tlsPrivateKeyFile"] = SERVING_CERT, SERVING_KEY
    for key, sep in (("evictionHard", "<"), ("evictionSoft", "<"), ("evictionSoftGracePeriod", "="),
                     ("evictionMinimumReclaim", "=")):
        if kubelet.get(key):
            out[key] = _pairs(kubelet[key], sep, key)
    if kubelet.get("featureGates"):
        out["featureGates"] = {k: _bool(v, f"featureGates.{k}") for k, v in kubelet["featureGates"].items()}
    if kubelet.get("enforceNodeAllocatable"):
        out["enforceNodeAllocatable"] = str(kubelet["enforceNodeAllocatable"]).split(",")
    if kubelet.get("taints"):
        out["registerWithTaints"] = [_taint(t) for t in kubelet["taints"]]
    return out


def kubelet_files(kubelet: dict[str, Any], runtime_socket: str, serving_cert: bool) -> dict[str, str]:
    """path -> content of the kubelet's configuration file and flags file."""
    flags = build_flags({k: v for k, v in kubelet.items() if k != "nodeLabels"}, flagnames.KUBELET)
    flags.append(f"--config={CONFIG_PATH}")
    return {
        CONFIG_PATH: dump(kubelet_configuration(kubelet, runtime_socket, serving_cert)).decode(),
        "/etc/sysconfig/kubelet": f'DAEMON_ARGS="{" ".join(flags)}"\nHOME="/root"\n',
    }


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[last] = value


def _pairs(text: str, sep: str, key: str) -> dict[str, str]:
    out = {}
    for item in str(text).split(","):
        name, found, value = item.partition(sep)
        if not found:
            raise KopsError(f"KubeletConfig.{key}: {item!r} is not NAME{sep}VALUE")
        out[name.strip()] = value.strip()
    return out


def _bool(value: Any, where: str) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise KopsError(f"KubeletConfig.{where}: expected true or false, got {value!r}")
    return text == "true"


def _taint(text: str) -> dict[str, str]:
    """``key=value:Effect`` (or ``key:Effect``) as a Kubernetes taint."""
    left, found, effect = str(text).rpartition(":")
    if not found or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
        raise KopsError(f"KubeletConfig.taints: {text!r} is not KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute")
    key, _, value = left.partition("=")
    taint = {"key": key, "effect": effect}
    if value:
        taint["value"] = value
    return taint
