"""Create-stage rules for the cluster-wide basics: version, authorization, IAM, access, discovery."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference.base import InferenceContext, rule


@rule("create", 10)
def kubernetes_version(ctx: InferenceContext) -> None:
    """Pin the Kubernetes version: the flag, else the channel's recommendation for this release."""
    o = ctx.options
    ctx.spec["channel"] = o.channel
    if o.kubernetes_version:
        from kops.versions import Version

        Version.parse(o.kubernetes_version)  # reject a malformed version before anything else
        ctx.spec["kubernetesVersion"] = o.kubernetes_version
    elif ctx.channel is not None:
        recommended = ctx.channel.recommended_kubernetes_version()
        if recommended:
            ctx.spec["kubernetesVersion"] = recommended


@rule("create", 11)
def authorization(ctx: InferenceContext) -> None:
    mode = (ctx.options.authorization or "RBAC").lower()
    if mode == "rbac":
        ctx.spec["authorization"] = {"rbac": {}}
    elif mode == "alwaysallow":
        ctx.spec["authorization"] = {"alwaysAllow": {}}
    else:
        raise KopsError(f"--authorization: unknown mode {ctx.options.authorization!r} (expected RBAC or AlwaysAllow)")


@rule("create", 12)
def iam_and_kubelet(ctx: InferenceContext) -> None:
    """New clusters get scoped IAM (``legacy: false``) and a kubelet that refuses anonymous requests."""
    ctx.spec["iam"] = {"allowContainerRegistry": True, "legacy": False}
    ctx.spec["kubelet"] = {"anonymousAuth": False}


@rule("create", 13)
def feature_gates(ctx: InferenceContext) -> None:
    """``--kubernetes-feature-gates=Foo,-Bar`` enables Foo and disables Bar in every component."""
    gates: dict[str, str] = {}
    for raw in ctx.options.kubernetes_feature_gates:
        gate = raw.strip()
        enabled = "true"
        if gate[:1] in "+-" and gate:
            enabled = "false" if gate[0] == "-" else "true"
            gate = gate[1:].strip()
        if not gate:
            raise KopsError(f"--kubernetes-feature-gates: {raw!r} must name a feature gate")
        gates[gate] = enabled
    if gates:
        for component in ("kubelet", "kubeAPIServer", "kubeControllerManager", "kubeProxy", "kubeScheduler"):
            ctx.spec.setdefault(component, {})["featureGates"] = dict(gates)


@rule("create", 14)
def access(ctx: InferenceContext) -> None:
    """Who may reach the API and SSH: ``--admin-access`` (default everyone), ``--ssh-access`` (default the same)."""
    admin = ctx.options.admin_access or ["0.0.0.0/0", "::/0"]
    ctx.spec["kubernetesApiAccess"] = list(admin)
    ctx.spec["sshAccess"] = list(ctx.options.ssh_access or admin)


@rule("create", 15)
def cloud_and_network_id(ctx: InferenceContext) -> None:
    ctx.spec["cloudProvider"] = ctx.options.cloud
    if ctx.options.network_id:
        ctx.spec["networkID"] = ctx.options.network_id


@rule("create", 16)
def service_account_discovery(ctx: InferenceContext) -> None:
    """``--discovery-store`` publishes OIDC discovery documents under a per-cluster folder (IRSA on AWS)."""
    store = ctx.options.discovery_store
    if not store:
        return
    discovery = {"discoveryStore": store.rstrip("/") + "/" + ctx.name}
    if ctx.cloud_has("service_account_identities"):
        discovery["enableAWSOIDCProvider"] = True
        ctx.spec["iam"]["useServiceAccountExternalPermissions"] = True
    ctx.spec["serviceAccountIssuerDiscovery"] = discovery
