"""Complete-stage rule for kube-apiserver: image, ports, etcd endpoints, admission and authorization."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import ipv6_only, kubernetes_image, require_version

#: Client ports of the etcd clusters, on the control-plane host (etcd-manager runs them there).
ETCD_CLIENT_PORTS = {"main": 4001, "events": 4002, "leases": 4004}
#: Resources served from a dedicated etcd cluster instead of ``main``, by that cluster's name.
ETCD_OVERRIDE_PREFIXES = {"events": "/events", "leases": "coordination.k8s.io/leases"}

ADMISSION_PLUGINS = [
    "DefaultStorageClass",
    "DefaultTolerationSeconds",
    "LimitRanger",
    "MutatingAdmissionWebhook",
    "NamespaceLifecycle",
    "NodeRestriction",
    "ResourceQuota",
    "RuntimeClass",
    "ServiceAccount",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionWebhook",
]
#: Headers of the aggregation layer's front proxy (extension API servers trust these).
AGGREGATION = {
    "requestheaderAllowedNames": ["aggregator"],
    "requestheaderExtraHeaderPrefixes": ["X-Remote-Extra-"],
    "requestheaderGroupHeaders": ["X-Remote-Group"],
    "requestheaderUsernameHeaders": ["X-Remote-User"],
}


@rule("complete", 20)
def kube_apiserver(ctx: InferenceContext) -> None:
    p = "spec.kubeAPIServer"
    api = ctx.default(p, {})
    etcd = ctx.spec.get("etcdClusters") or []
    main = next((c for c in etcd if c.get("name") == "main"), None)
    if main is not None and main.get("etcdMembers"):
        # One API server per control-plane node, and each control-plane node runs a main etcd member.
        ctx.default(f"{p}.apiServerCount", len(main["etcdMembers"]))
    if etcd and etcd[0].get("version"):
        ctx.default(f"{p}.storageBackend", "etcd" + str(etcd[0]["version"]).removeprefix("v").split(".")[0])
    ctx.default(f"{p}.kubeletPreferredAddressTypes", ["InternalIP", "Hostname", "ExternalIP"])
    if ctx.get("spec.authentication.kopeio") is not None:
        ctx.default(f"{p}.authenticationTokenWebhookConfigFile", "/etc/kubernetes/authn.config")
    if ctx.get("spec.authorization.alwaysAllow") is not None:
        ctx.default(f"{p}.authorizationMode", "AlwaysAllow")
    elif ctx.get("spec.authorization.rbac") is not None:
        ctx.default(f"{p}.authorizationMode", "Node,RBAC")
    for key, value in AGGREGATION.items():
        ctx.default(f"{p}.{key}", list(value))
    image = kubernetes_image(ctx, "kube-apiserver")
    if image:
        ctx.default(f"{p}.image", image)
    if require_version(ctx).is_lt("1.33.0"):
        ctx.default(f"{p}.cloudProvider", "external")
    ctx.default(f"{p}.logLevel", 2)
    ctx.default(f"{p}.securePort", 443)
    ctx.default(f"{p}.bindAddress", "::" if ipv6_only(ctx) else "0.0.0.0")
    ctx.default(f"{p}.allowPrivileged", True)
    ctx.default(f"{p}.serviceClusterIPRange", ctx.spec.get("serviceClusterIPRange"))
    servers = [f"https://127.0.0.1:{ETCD_CLIENT_PORTS['main']}" for c in etcd if c.get("name") == "main"]
    overrides = [f"{ETCD_OVERRIDE_PREFIXES[name]}#https://127.0.0.1:{ETCD_CLIENT_PORTS[name]}"
                 for name in (c.get("name") for c in etcd) if name in ETCD_OVERRIDE_PREFIXES]
    if servers:
        ctx.default(f"{p}.etcdServers", servers)
    if overrides:
        ctx.default(f"{p}.etcdServersOverrides", overrides)
    ctx.default(f"{p}.enableAdmissionPlugins", ADMISSION_PLUGINS + list(api.get("appendAdmissionPlugins") or []))
    ctx.default(f"{p}.anonymousAuth", False)
    if ctx.get("spec.metricsServer.enabled"):
        # metrics-server is reached through the aggregation layer by service IP, not through the node network.
        ctx.default(f"{p}.enableAggregatorRouting", True)
