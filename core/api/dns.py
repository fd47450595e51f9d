"""In-cluster DNS (CoreDNS, node-local DNS), the controller that publishes DNS records, and gossip discovery."""

from .base import KopsModel, MapKey, Quantity
from .kube import Affinity, Toleration


class NodeLocalDNSConfig(KopsModel):
    """The node-local DNS cache daemon set."""

    enabled: bool | None = None
    externalCoreFile: str | None = None
    additionalConfig: str | None = None
    image: str | None = None
    localIP: str | None = None
    forwardToKubeDNS: bool | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    podAnnotations: dict[MapKey, str] | None = None


class KubeDNSConfig(KopsModel):
    """The in-cluster DNS service (CoreDNS)."""

    cacheMaxSize: int | None = None
    cacheMaxConcurrent: int | None = None
    tolerations: list[Toleration] | None = None
    affinity: Affinity | None = None
    coreDNSImage: str | None = None
    cpaImage: str | None = None
    domain: str | None = None
    externalCoreFile: str | None = None
    image: str | None = None
    replicas: int | None = None
    provider: str | None = None
    serverIP: str | None = None
    stubDomains: dict[MapKey, list[str]] | None = None
    upstreamNameservers: list[str] | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    memoryLimit: Quantity | None = None
    nodeLocalDNS: NodeLocalDNSConfig | None = None
    podAnnotations: dict[MapKey, str] | None = None


class ExternalDNSConfig(KopsModel):
    """The controller that publishes DNS records for the API and services."""

    disable: bool | None = None
    watchIngress: bool | None = None
    watchNamespace: str | None = None
    provider: str | None = None
    priorityClassName: str | None = None


class GossipConfigSecondary(KopsModel):
    """A second gossip protocol run alongside the first during migrations."""

    protocol: str | None = None
    listen: str | None = None
    secret: str | None = None


class GossipConfig(KopsModel):
    """Gossip protocol used to discover peers when the cluster has no DNS zone."""

    protocol: str | None = None
    listen: str | None = None
    secret: str | None = None
    secondary: GossipConfigSecondary | None = None


class DNSControllerGossipConfigSecondary(KopsModel):
    """A second gossip protocol for dns-controller during migrations."""

    protocol: str | None = None
    listen: str | None = None
    secret: str | None = None
    seed: str | None = None


class DNSControllerGossipConfig(KopsModel):
    """Gossip settings of dns-controller in a gossip-based cluster."""

    protocol: str | None = None
    listen: str | None = None
    secret: str | None = None
    secondary: DNSControllerGossipConfigSecondary | None = None
    seed: str | None = None
