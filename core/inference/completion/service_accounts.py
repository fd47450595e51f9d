"""Complete-stage rule for service-account tokens: who issues them and where their signing keys are published.

With a discovery store the issuer is the store's public HTTPS address (so cloud IAM can verify tokens);
otherwise it is the API server itself, by its public name when anyone may fetch the keys anonymously.
"""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule

WORLD = ("0.0.0.0/0", "::/0")


@rule("complete", 100)
def service_account_issuer(ctx: InferenceContext) -> None:
    p = "spec.kubeAPIServer"
    ctx.default(f"{p}.apiAudiences", ["kubernetes.svc.default"])
    if ctx.get(f"{p}.serviceAccountIssuer") is None:
        issuer = _issuer(ctx)
        if issuer is None:
            return
        ctx.default(f"{p}.serviceAccountIssuer", issuer)
    ctx.default(f"{p}.serviceAccountJWKSURI", ctx.get(f"{p}.serviceAccountIssuer") + "/openid/v1/jwks")


def _issuer(ctx: InferenceContext) -> str | None:
    discovery = ctx.spec.get("serviceAccountIssuerDiscovery") or {}
    store = str(discovery.get("discoveryStore") or "")
    if store:
        return _public_url(ctx, store)
    service = discovery.get("discoveryService") or {}
    if service.get("url"):
        return str(service["url"])
    if _public_jwks(ctx) and ctx.spec.get("masterPublicName"):
        return "https://" + str(ctx.spec["masterPublicName"])
    return "https://api.internal." + ctx.name


def _public_jwks(ctx: InferenceContext) -> bool:
    """The API serves its signing keys to anyone when anonymous requests are allowed from anywhere."""
    if not ctx.get("spec.kubeAPIServer.anonymousAuth"):
        return False
    return any(cidr in WORLD for cidr in ctx.spec.get("kubernetesApiAccess") or [])


def _public_url(ctx: InferenceContext, store: str) -> str | None:
    """The HTTPS address of a discovery store; ``memfs://`` (tests, demos) maps host and path as they are."""
    scheme, _, rest = store.partition("://")
    if scheme == "memfs":
        return "https://" + rest
    if scheme == "gs":
        return ("https://storage.googleapis.com/" + rest).rstrip("/")
    ctx.warnings.append(f"spec.serviceAccountIssuerDiscovery.discoveryStore: the public address of {store} depends on "
                        "where the bucket lives; set spec.kubeAPIServer.serviceAccountIssuer to record it")
    return None
