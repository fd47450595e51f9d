"""Who may do what: authentication, authorization, node authorization and cloud IAM settings."""

from .base import Duration, KopsModel, Quantity


class AWSAuthenticationIdentityMappingSpec(KopsModel):
    """Maps one IAM ARN to a Kubernetes user name and groups."""

    arn: str | None = None
    username: str | None = None
    groups: list[str] | None = None


class AWSAuthenticationSpec(KopsModel):
    """The AWS IAM authenticator, mapping IAM identities to Kubernetes users."""

    image: str | None = None
    backendMode: str | None = None
    clusterID: str | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    memoryLimit: Quantity | None = None
    cpuLimit: Quantity | None = None
    identityMappings: list[AWSAuthenticationIdentityMappingSpec] | None = None


class KopeioAuthenticationSpec(KopsModel):
    """Marker enabling the kopeio authentication webhook."""


class AuthenticationSpec(KopsModel):
    """Extra authentication webhooks for the API server; at most one is set."""

    kopeio: KopeioAuthenticationSpec | None = None
    aws: AWSAuthenticationSpec | None = None


class AlwaysAllowAuthorizationSpec(KopsModel):
    """Marker selecting the allow-everything authorizer."""


class RBACAuthorizationSpec(KopsModel):
    """Marker selecting RBAC authorization."""


class AuthorizationSpec(KopsModel):
    """The API server authorization mode; exactly one member is normally set."""

    alwaysAllow: AlwaysAllowAuthorizationSpec | None = None
    rbac: RBACAuthorizationSpec | None = None


class NodeAuthorizerSpec(KopsModel):
    """The node authorizer service, its verifier and timings."""

    authorizer: str | None = None
    features: list[str] | None = None
    image: str | None = None
    nodeURL: str | None = None
    port: int | None = None
    interval: Duration | None = None
    timeout: Duration | None = None
    tokenTTL: Duration | None = None


class NodeAuthorizationSpec(KopsModel):
    """Settings of the node authorization service that admits new nodes."""

    nodeAuthorizer: NodeAuthorizerSpec | None = None


class AWSPermission(KopsModel):
    """AWS policies attached to a service account's role."""

    policyARNs: list[str] | None = None
    inlinePolicy: str | None = None


class ServiceAccountExternalPermission(KopsModel):
    """Cloud permissions granted to one Kubernetes service account."""

    name: str
    namespace: str
    aws: AWSPermission | None = None


class IAMSpec(KopsModel):
    """How IAM roles and policies are created for the cluster's instances."""

    legacy: bool | None = None
    allowContainerRegistry: bool | None = None
    permissionsBoundary: str | None = None
    useServiceAccountExternalPermissions: bool | None = None
    serviceAccountExternalPermissions: list[ServiceAccountExternalPermission] | None = None


class DiscoveryServiceOptions(KopsModel):
    """An external discovery service that serves the OIDC documents."""

    url: str | None = None


class ServiceAccountIssuerDiscoveryConfig(KopsModel):
    """Publishing of the service-account issuer OIDC documents, used for workload identity."""

    discoveryStore: str | None = None
    discoveryService: DiscoveryServiceOptions | None = None
    enableAWSOIDCProvider: bool | None = None
    additionalAudiences: list[str] | None = None
