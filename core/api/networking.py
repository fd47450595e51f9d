"""Pod networking: exactly one provider (CNI plugin) is chosen under ``spec.networking``."""

from typing import Any

from pydantic import ConfigDict, model_validator

from .base import KopsModel, MapKey, Quantity
from .common import EnvVar


class AmazonVPCNetworkingSpec(KopsModel):
    """The AWS VPC CNI plugin, giving pods VPC addresses."""

    imageName: str | None = None
    initImageName: str | None = None
    networkPolicyAgentImage: str | None = None
    env: list[EnvVar] | None = None


class CNINetworkingSpec(KopsModel):
    """Networking installed by the user; kops only prepares nodes for a CNI plugin."""

    usesSecondaryIP: bool | None = None


class CalicoNetworkingSpec(KopsModel):
    """Calico settings."""

    registry: str | None = None
    version: str | None = None
    allowIPForwarding: bool | None = None
    awsSrcDstCheck: str | None = None
    bpfEnabled: bool | None = None
    bpfExternalServiceMode: str | None = None
    bpfKubeProxyIptablesCleanupEnabled: bool | None = None
    bpfLogLevel: str | None = None
    chainInsertMode: str | None = None
    cpuRequest: Quantity | None = None
    crossSubnet: bool | None = None
    encapsulationMode: str | None = None
    ipipMode: str | None = None
    ipv4AutoDetectionMethod: str | None = None
    ipv6AutoDetectionMethod: str | None = None
    iptablesBackend: str | None = None
    logSeverityScreen: str | None = None
    mtu: int | None = None
    nftablesMode: str | None = None
    prometheusMetricsEnabled: bool | None = None
    prometheusMetricsPort: int | None = None
    prometheusGoMetricsEnabled: bool | None = None
    prometheusProcessMetricsEnabled: bool | None = None
    majorVersion: str | None = None
    typhaPrometheusMetricsEnabled: bool | None = None
    typhaPrometheusMetricsPort: int | None = None
    typhaReplicas: int | None = None
    vxlanMode: str | None = None
    wireguardEnabled: bool | None = None


class CanalNetworkingSpec(KopsModel):
    """Canal (Calico policy with Flannel networking) settings."""

    chainInsertMode: str | None = None
    cpuRequest: Quantity | None = None
    defaultEndpointToHostAction: str | None = None
    disableFlannelForwardRules: bool | None = None
    disableTxChecksumOffloading: bool | None = None
    iptablesBackend: str | None = None
    logSeveritySys: str | None = None
    mtu: int | None = None
    prometheusGoMetricsEnabled: bool | None = None
    prometheusMetricsEnabled: bool | None = None
    prometheusMetricsPort: int | None = None
    prometheusProcessMetricsEnabled: bool | None = None
    typhaPrometheusMetricsEnabled: bool | None = None
    typhaPrometheusMetricsPort: int | None = None
    typhaReplicas: int | None = None


class CiliumGatewayAPISpec(KopsModel):
    """Cilium's Gateway API support."""

    enabled: bool | None = None
    enableSecretsSync: bool | None = None


class CiliumIngressSpec(KopsModel):
    """Cilium's built-in ingress controller."""

    enabled: bool | None = None
    enforceHttps: bool | None = None
    enableSecretsSync: bool | None = None
    loadBalancerAnnotationPrefixes: str | None = None
    defaultLoadBalancerMode: str | None = None
    sharedLoadBalancerServiceName: str | None = None


class HubbleSpec(KopsModel):
    """Hubble, Cilium's flow observability layer."""

    enabled: bool | None = None
    metrics: list[str] | None = None


class CiliumNetworkingSpec(KopsModel):
    """Cilium settings."""

    registry: str | None = None
    version: str | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    accessLog: str | None = None
    agentLabels: list[str] | None = None
    agentPrometheusPort: int | None = None
    metrics: list[str] | None = None
    allowLocalhost: str | None = None
    autoIpv6NodeRoutes: bool | None = None
    bpfRoot: str | None = None
    chainingMode: str | None = None
    containerRuntime: list[str] | None = None
    containerRuntimeEndpoint: dict[MapKey, str] | None = None
    debug: bool | None = None
    debugVerbose: list[str] | None = None
    device: str | None = None
    disableConntrack: bool | None = None
    disableEndpointCRD: bool | None = None
    disableIpv4: bool | None = None
    disableK8sServices: bool | None = None
    enablePolicy: str | None = None
    enableL7Proxy: bool | None = None
    enableLocalRedirectPolicy: bool | None = None
    enableBPFMasquerade: bool | None = None
    enableEndpointHealthChecking: bool | None = None
    enableHostFirewall: bool | None = None
    enableTracing: bool | None = None
    enablePrometheusMetrics: bool | None = None
    enableEncryption: bool | None = None
    encryptionType: str | None = None
    nodeEncryption: bool | None = None
    envoyLog: str | None = None
    identityAllocationMode: str | None = None
    identityChangeGracePeriod: str | None = None
    ipv4ClusterCidrMaskSize: int | None = None
    ipv4Node: str | None = None
    ipv4Range: str | None = None
    ipv4ServiceRange: str | None = None
    ipv6ClusterAllocCidr: str | None = None
    ipv6Node: str | None = None
    ipv6Range: str | None = None
    ipv6ServiceRange: str | None = None
    k8sApiServer: str | None = None
    k8sKubeconfigPath: str | None = None
    keepBpfTemplates: bool | None = None
    keepConfig: bool | None = None
    labelPrefixFile: str | None = None
    labels: list[str] | None = None
    lb: str | None = None
    libDir: str | None = None
    logDriver: list[str] | None = None
    logOpt: dict[MapKey, str] | None = None
    logstash: bool | None = None
    logstashAgent: str | None = None
    logstashProbeTimer: int | None = None
    disableMasquerade: bool | None = None
    nat46Range: str | None = None
    agentPodAnnotations: dict[MapKey, str] | None = None
    operatorPodAnnotations: dict[MapKey, str] | None = None
    pprof: bool | None = None
    prefilterDevice: str | None = None
    prometheusServeAddr: str | None = None
    restore: bool | None = None
    singleClusterRoute: bool | None = None
    socketPath: str | None = None
    stateDir: str | None = None
    tracePayloadlen: int | None = None
    tunnel: str | None = None
    enableipv6: bool | None = None
    enableipv4: bool | None = None
    monitorAggregation: str | None = None
    bpfCTGlobalTCPMax: int | None = None
    bpfCTGlobalAnyMax: int | None = None
    bpfLBAlgorithm: str | None = None
    bpfLBMaglevTableSize: str | None = None
    bpfNATGlobalMax: int | None = None
    bpfNeighGlobalMax: int | None = None
    bpfPolicyMapMax: int | None = None
    bpfLBMapMax: int | None = None
    bpfLBSock: bool | None = None
    bpfLBSockHostNSOnly: bool | None = None
    preallocateBPFMaps: bool | None = None
    sidecarIstioProxyImage: str | None = None
    clusterName: str | None = None
    clusterID: int | None = None
    toFqdnsDnsRejectResponseCode: str | None = None
    toFqdnsEnablePoller: bool | None = None
    containerRuntimeLabels: str | None = None
    ipam: str | None = None
    IPTablesRulesNoinstall: bool | None = None
    autoDirectNodeRoutes: bool | None = None
    enableHostReachableServices: bool | None = None
    enableNodePort: bool | None = None
    etcdManaged: bool | None = None
    enableRemoteNodeIdentity: bool | None = None
    enableUnreachableRoutes: bool | None = None
    cniExclusive: bool | None = None
    hubble: HubbleSpec | None = None
    removeCbrBridge: bool | None = None
    restartPods: bool | None = None
    reconfigureKubelet: bool | None = None
    nodeInitBootstrapFile: str | None = None
    cniBinPath: str | None = None
    disableCNPStatusUpdates: bool | None = None
    enableServiceTopology: bool | None = None
    ingress: CiliumIngressSpec | None = None
    gatewayAPI: CiliumGatewayAPISpec | None = None
    extraConfig: dict[MapKey, str] | None = None


class ClassicNetworkingSpec(KopsModel):
    """Marker selecting the removed "classic" networking (kept so old manifests load)."""


class ExternalNetworkingSpec(KopsModel):
    """Marker for networking installed outside kops (legacy spelling of ``cni``)."""


class FlannelNetworkingSpec(KopsModel):
    """Flannel settings."""

    backend: str | None = None
    disableTxChecksumOffloading: bool | None = None
    iptablesResyncSeconds: int | None = None


class GCPNetworkingSpec(KopsModel):
    """Marker selecting GCE native (alias IP) networking."""


class KindnetMasqueradeSpec(KopsModel):
    """Which traffic kindnet masquerades."""

    enabled: bool | None = None
    nonMasqueradeCIDRs: list[str] | None = None


class KindnetNetworkingSpec(KopsModel):
    """kindnet settings."""

    version: str | None = None
    networkPolicies: bool | None = None
    adminNetworkPolicies: bool | None = None
    baselineAdminNetworkPolicies: bool | None = None
    dnsCaching: bool | None = None
    nat64: bool | None = None
    fastPathThreshold: int | None = None
    masquerade: KindnetMasqueradeSpec | None = None
    logLevel: int | None = None


class KopeioNetworkingSpec(KopsModel):
    """Marker selecting kopeio-networking."""


class KubenetNetworkingSpec(KopsModel):
    """Marker selecting kubenet, which relies on cloud routes."""


class KuberouterNetworkingSpec(KopsModel):
    """kube-router settings."""

    useNFTablesForNetpol: bool | None = None


class LyftVPCNetworkingSpec(KopsModel):
    """Lyft VPC CNI settings (removed upstream; kept so old manifests load)."""

    subnetTags: dict[MapKey, str] | None = None


class RomanaNetworkingSpec(KopsModel):
    """Romana settings (removed upstream; kept so old manifests load)."""

    daemonServiceIP: str | None = None
    etcdServiceIP: str | None = None


class WeaveNetworkingSpec(KopsModel):
    """Weave Net settings (removed upstream; kept so old manifests load)."""

    mtu: int | None = None
    connLimit: int | None = None
    noMasqLocal: int | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    memoryLimit: Quantity | None = None
    cpuLimit: Quantity | None = None
    netExtraArgs: str | None = None
    npcMemoryRequest: Quantity | None = None
    npcCPURequest: Quantity | None = None
    npcMemoryLimit: Quantity | None = None
    npcCPULimit: Quantity | None = None
    npcExtraArgs: str | None = None
    version: str | None = None


class NetworkingSpec(KopsModel):
    """The pod network provider; exactly one member should be set.

    Besides upstream's providers, a section named after an installed third-party networking plugin
    (an entry point in ``kops.networking``) is accepted as a free-form object that the plugin validates;
    any other unknown key is still an error.
    """

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="after")
    def _only_installed_plugin_sections(self) -> "NetworkingSpec":
        extra: dict[str, Any] = self.model_extra or {}
        if extra:
            from kops.plugins import driver_names

            installed = set(driver_names("networking"))
            for key, value in extra.items():
                if key not in installed:
                    raise ValueError(f"unknown field {key!r} (no installed networking plugin provides it)")
                if not isinstance(value, dict):
                    raise ValueError(f"{key}: expected an object of the plugin's options")
        return self

    classic: ClassicNetworkingSpec | None = None
    kubenet: KubenetNetworkingSpec | None = None
    external: ExternalNetworkingSpec | None = None
    cni: CNINetworkingSpec | None = None
    kopeio: KopeioNetworkingSpec | None = None
    weave: WeaveNetworkingSpec | None = None
    flannel: FlannelNetworkingSpec | None = None
    calico: CalicoNetworkingSpec | None = None
    canal: CanalNetworkingSpec | None = None
    kuberouter: KuberouterNetworkingSpec | None = None
    romana: RomanaNetworkingSpec | None = None
    amazonvpc: AmazonVPCNetworkingSpec | None = None
    cilium: CiliumNetworkingSpec | None = None
    lyftvpc: LyftVPCNetworkingSpec | None = None
    gce: GCPNetworkingSpec | None = None
    kindnet: KindnetNetworkingSpec | None = None
