"""Complete-stage rules for cluster-wide settings every component reads: DNS, authorization, API access, stores.

Several of these are defaults upstream applies when it reads a manifest; they are rules here so that a
completed spec says explicitly what the user's spec left implicit.
"""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import join_path

DEFAULT_CHANNEL = "stable"
CLUSTER_DNS_DOMAIN = "cluster.local"


@rule("assign", 0)
def dns_type(ctx: InferenceContext) -> None:
    """Without a stated DNS type the cluster publishes its records in public DNS. An assignment, as upstream
    applies it when reading any manifest: later assignments (the API's public name) depend on it."""
    ctx.default("spec.topology.dns.type", "Public")


@rule("complete", 0)
def channel_and_domain(ctx: InferenceContext) -> None:
    ctx.default("spec.channel", DEFAULT_CHANNEL)
    ctx.default("spec.clusterDNSDomain", CLUSTER_DNS_DOMAIN)


@rule("complete", 0)
def authorization(ctx: InferenceContext) -> None:
    """No authorizer chosen means RBAC (``authorization: {}`` chooses none)."""
    auth = ctx.spec.get("authorization") or {}
    if auth.get("rbac") is None and auth.get("alwaysAllow") is None:
        ctx.spec["authorization"] = {**auth, "rbac": {}}


@rule("complete", 0)
def iam(ctx: InferenceContext) -> None:
    """An ``iam`` section without ``legacy`` means the scoped (non-legacy) policies."""
    if ctx.spec.get("iam") is not None:
        ctx.default("spec.iam.legacy", False)


@rule("complete", 1)
def api_access(ctx: InferenceContext) -> None:
    """How clients reach the API when the user chose neither DNS nor a load balancer: where the API servers
    (or, without dedicated API-server groups, the control plane) sit decides. Any private subnet needs a
    load balancer; only public subnets can use DNS records pointing at the instances."""
    if ctx.cloud is not None and not ctx.cloud.infers_api_access:
        return
    api = ctx.spec.get("api") or {}
    if api.get("dns") is None and api.get("loadBalancer") is None:
        types = {s.get("name"): s.get("type") for s in ctx.subnets()}
        api_groups = ctx.groups_with_role("APIServer") or ctx.groups_with_role("Master", "ControlPlane")
        kinds = {types.get(subnet) for ig in api_groups for subnet in ig["spec"].get("subnets") or []}
        if "Private" in kinds:
            api = {**api, "loadBalancer": {}}
        elif "Public" in kinds:
            api = {**api, "dns": {}}
        ctx.spec["api"] = api
    if api.get("loadBalancer") is not None:
        ctx.default("spec.api.loadBalancer.type", "Public")


@rule("complete", 2)
def dns_records(ctx: InferenceContext) -> None:
    """Clusters that publish DNS records get dns-controller, and a public API name once they have a zone."""
    if ctx.get("spec.topology.dns.type") == "None":
        return
    if ctx.spec.get("dnsZone"):
        ctx.default("spec.masterPublicName", "api." + ctx.name)
    ctx.default("spec.externalDns.provider", "dns-controller")


@rule("complete", 2)
def config_stores(ctx: InferenceContext) -> None:
    """Keys and secrets live next to the cluster's configuration in the state store (``pki/``, ``secrets/``)."""
    base = ctx.spec.get("configBase")
    if base:
        ctx.default("spec.keyStore", join_path(base, "pki"))
        ctx.default("spec.secretStore", join_path(base, "secrets"))
