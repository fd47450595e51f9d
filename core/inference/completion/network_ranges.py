"""Complete-stage rule for the pod and service ranges, carved out of the non-masquerade CIDR.

The non-masquerade CIDR is the address space the cluster treats as its own (assigned earlier, in the
assign stage); pods get its upper half and services a fixed block at its start.
"""

from __future__ import annotations

import ipaddress

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule

SERVICE_RANGE_IPV4 = "100.64.0.0/13"
SERVICE_RANGE_IPV6 = "fd00:5e4f:ce::/108"


@rule("complete", 1)
def pod_and_service_ranges(ctx: InferenceContext) -> None:
    text = ctx.spec.get("nonMasqueradeCIDR")
    if not text:
        ctx.warnings.append("spec.nonMasqueradeCIDR: not set, so the pod and service ranges cannot be derived")
        return
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise KopsError(f"spec.nonMasqueradeCIDR: invalid CIDR {text!r}") from exc
    if network.version == 4:
        if network.prefixlen < network.max_prefixlen:
            # The upper half: one more prefix bit, set to 1 (100.64.0.0/10 -> 100.96.0.0/11).
            ctx.default("spec.podCIDR", str(list(network.subnets(prefixlen_diff=1))[1]))
        ctx.default("spec.serviceClusterIPRange", SERVICE_RANGE_IPV4)
    else:
        # IPv6 pods take addresses from their nodes' prefixes; only services need a range.
        ctx.default("spec.serviceClusterIPRange", SERVICE_RANGE_IPV6)
