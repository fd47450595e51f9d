"""Complete-stage rule for cluster DNS (CoreDNS) and its optional node-local cache."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import ipv6_only, service_ip
from kops.inference.versions_data import NODE_LOCAL_DNS_IMAGE

#: The link-local address the node-local cache listens on, per IP family.
NODE_LOCAL_IP = {4: "169.254.20.10", 6: "fd00:90de:d95::1"}


@rule("complete", 40)
def kube_dns(ctx: InferenceContext) -> None:
    p = "spec.kubeDNS"
    ctx.default(p, {})
    ctx.default(f"{p}.provider", "CoreDNS")
    ctx.default(f"{p}.cacheMaxSize", 1000)
    ctx.default(f"{p}.cacheMaxConcurrent", 150)
    # The tenth address of the service range is reserved for cluster DNS.
    ctx.default(f"{p}.serverIP", service_ip(ctx, 10))
    ctx.default(f"{p}.domain", ctx.spec.get("clusterDNSDomain"))
    ctx.default(f"{p}.memoryRequest", "70Mi")
    ctx.default(f"{p}.cpuRequest", "100m")
    ctx.default(f"{p}.memoryLimit", "170Mi")


@rule("complete", 41)
def node_local_dns(ctx: InferenceContext) -> None:
    p = "spec.kubeDNS.nodeLocalDNS"
    enabled = ctx.default(f"{p}.enabled", False)
    if enabled:
        ctx.default(f"{p}.localIP", NODE_LOCAL_IP[6 if ipv6_only(ctx) else 4])
        ctx.default(f"{p}.forwardToKubeDNS", False)
    ctx.default(f"{p}.memoryRequest", "5Mi")
    ctx.default(f"{p}.cpuRequest", "25m")
    ctx.default(f"{p}.image", NODE_LOCAL_DNS_IMAGE)
