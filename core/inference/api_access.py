"""Create-stage rule for how clients reach the API: a load balancer, or DNS records for the control plane."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule
from kops.inference.topology import publishes_dns, topology_of


@rule("create", 70)
def api_endpoint(ctx: InferenceContext) -> None:
    o = ctx.options
    api = ctx.spec.setdefault("api", {})
    no_load_balancers = ctx.cloud is not None and not ctx.cloud.api_load_balancers
    if o.api_loadbalancer_type or o.api_ssl_certificate:
        api["loadBalancer"] = {}
    elif no_load_balancers or (topology_of(ctx) == "public" and publishes_dns(ctx)):
        # DNS records pointing at the control plane or, on a cloud without load balancers, its own addresses.
        api["dns"] = {}
    else:
        # Private topology, or no DNS records to point at the control plane (dns none, or a gossip name
        # such as example.k8s.local, which resolves only inside the cluster).
        api["loadBalancer"] = {}
    lb = api.get("loadBalancer")
    if lb is None:
        return
    kind = (o.api_loadbalancer_type or "public").lower()
    if kind not in ("public", "internal"):
        raise KopsError(f"--api-loadbalancer-type: unknown type {o.api_loadbalancer_type!r} (expected public or internal)")
    lb.setdefault("type", "Public" if kind == "public" else "Internal")
    if o.api_ssl_certificate:
        lb["sslCertificate"] = o.api_ssl_certificate
