"""How clients reach the cluster: the API endpoint (DNS or load balancer) and the egress proxy."""

from pydantic import Field

from .base import KopsModel


class DNSAccessSpec(KopsModel):
    """Marker for API access through DNS records (an empty object selects it)."""


class AccessLogSpec(KopsModel):
    """Where the API load balancer writes its access logs."""

    interval: int | None = None
    bucket: str | None = None
    bucketPrefix: str | None = None


class LoadBalancerSubnetSpec(KopsModel):
    """A subnet the API load balancer is placed in, with optional fixed addresses."""

    name: str | None = None
    privateIPv4Address: str | None = None
    allocationId: str | None = None


class LoadBalancerAccessSpec(KopsModel):
    """The load balancer in front of the API servers."""

    class_: str | None = Field(default=None, alias="class")
    type: str | None = None
    idleTimeoutSeconds: int | None = None
    securityGroupOverride: str | None = None
    additionalSecurityGroups: list[str] | None = None
    useForInternalApi: bool | None = None
    sslCertificate: str | None = None
    sslPolicy: str | None = None
    crossZoneLoadBalancing: bool | None = None
    subnets: list[LoadBalancerSubnetSpec] | None = None
    accessLog: AccessLogSpec | None = None


class APISpec(KopsModel):
    """How the Kubernetes API is exposed: DNS records pointing at control-plane nodes, or a load balancer."""

    dns: DNSAccessSpec | None = None
    loadBalancer: LoadBalancerAccessSpec | None = None


class HTTPProxy(KopsModel):
    """Address of an HTTP proxy."""

    host: str | None = None
    port: int | None = None


class EgressProxySpec(KopsModel):
    """An HTTP proxy that nodes must use for outbound traffic."""

    httpProxy: HTTPProxy | None = None
    excludes: str | None = None
