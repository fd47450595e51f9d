"""The desired state of a cluster (``Cluster.spec``)."""

from typing import Any

from pydantic import ConfigDict, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .access import APISpec, EgressProxySpec
from .addons import (
    AddonSpec,
    CertManagerConfig,
    ClusterAutoscalerConfig,
    KarpenterConfig,
    LoadBalancerControllerSpec,
    MetricsServerConfig,
    NodeProblemDetectorConfig,
    NodeTerminationHandlerSpec,
    NTPConfig,
    PodIdentityWebhookSpec,
    SnapshotControllerConfig,
)
from .base import KopsModel, MapKey
from .cloud import CloudConfiguration
from .common import FileAssetSpec, HookSpec, RollingUpdate, WarmPoolSpec
from .components import (
    CloudControllerManagerConfig,
    KubeAPIServerConfig,
    KubeControllerManagerConfig,
    KubeProxyConfig,
    KubeSchedulerConfig,
)
from .dns import DNSControllerGossipConfig, ExternalDNSConfig, GossipConfig, KubeDNSConfig
from .etcd import EtcdClusterSpec
from .kubelet import KubeletConfigSpec
from .networking import NetworkingSpec
from .runtime import ContainerdConfig, DockerConfig
from .sections import add_section_schemas, validate_sections
from .security import (
    AuthenticationSpec,
    AuthorizationSpec,
    IAMSpec,
    NodeAuthorizationSpec,
    ServiceAccountIssuerDiscoveryConfig,
)
from .topology import ClusterSubnetSpec, TopologySpec


class AssetsSpec(KopsModel):
    """Mirrors for container images and files, for clusters without internet access."""

    containerRegistry: str | None = None
    fileRepository: str | None = None
    containerProxy: str | None = None


class TerraformSpec(KopsModel):
    """Extra provider settings written into generated Terraform."""

    providerExtraConfig: dict[MapKey, str] | None = None
    filesProviderExtraConfig: dict[MapKey, str] | None = None


class TargetSpec(KopsModel):
    """Options for output targets other than direct cloud changes."""

    terraform: TerraformSpec | None = None


class ClusterSpec(KopsModel):
    """Everything kops needs to build and run one cluster.

    Besides upstream's fields, ``spec.<name>`` is accepted for each section an installed plugin declares
    (:mod:`kops.api.sections`), validated against and kept as the plugin's model; any other unknown key is
    still an error.
    """

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="after")
    def _plugin_sections(self) -> "ClusterSpec":
        if self.__pydantic_extra__:
            validate_sections(self.__pydantic_extra__)
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The schema lists the installed plugins' sections, so an editor accepts what ``load_objects`` does."""
        json_schema = handler(core_schema)
        add_section_schemas(json_schema, handler)
        return json_schema

    channel: str | None = None
    addons: list[AddonSpec] | None = None
    configBase: str | None = None
    cloudProvider: str | None = None
    gossipConfig: GossipConfig | None = None
    containerRuntime: str | None = None
    kubernetesVersion: str | None = None
    subnets: list[ClusterSubnetSpec] | None = None
    project: str | None = None
    masterPublicName: str | None = None
    masterInternalName: str | None = None
    networkCIDR: str | None = None
    additionalNetworkCIDRs: list[str] | None = None
    networkID: str | None = None
    topology: TopologySpec | None = None
    secretStore: str | None = None
    keyStore: str | None = None
    configStore: str | None = None
    dnsZone: str | None = None
    dnsControllerGossipConfig: DNSControllerGossipConfig | None = None
    additionalSans: list[str] | None = None
    clusterDNSDomain: str | None = None
    serviceClusterIPRange: str | None = None
    podCIDR: str | None = None
    nonMasqueradeCIDR: str | None = None
    sshAccess: list[str] | None = None
    nodePortAccess: list[str] | None = None
    egressProxy: EgressProxySpec | None = None
    sshKeyName: str | None = None
    kubernetesApiAccess: list[str] | None = None
    isolateMasters: bool | None = None
    updatePolicy: str | None = None
    externalPolicies: dict[MapKey, list[str]] | None = None
    additionalPolicies: dict[MapKey, str] | None = None
    fileAssets: list[FileAssetSpec] | None = None
    etcdClusters: list[EtcdClusterSpec] | None = None
    docker: DockerConfig | None = None
    containerd: ContainerdConfig | None = None
    kubeDNS: KubeDNSConfig | None = None
    kubeAPIServer: KubeAPIServerConfig | None = None
    kubeControllerManager: KubeControllerManagerConfig | None = None
    cloudControllerManager: CloudControllerManagerConfig | None = None
    kubeScheduler: KubeSchedulerConfig | None = None
    kubeProxy: KubeProxyConfig | None = None
    kubelet: KubeletConfigSpec | None = None
    masterKubelet: KubeletConfigSpec | None = None
    cloudConfig: CloudConfiguration | None = None
    externalDns: ExternalDNSConfig | None = None
    ntp: NTPConfig | None = None
    packages: list[str] | None = None
    nodeTerminationHandler: NodeTerminationHandlerSpec | None = None
    nodeProblemDetector: NodeProblemDetectorConfig | None = None
    metricsServer: MetricsServerConfig | None = None
    certManager: CertManagerConfig | None = None
    awsLoadBalancerController: LoadBalancerControllerSpec | None = None
    networking: NetworkingSpec | None = None
    api: APISpec | None = None
    authentication: AuthenticationSpec | None = None
    authorization: AuthorizationSpec | None = None
    nodeAuthorization: NodeAuthorizationSpec | None = None
    cloudLabels: dict[MapKey, str] | None = None
    hooks: list[HookSpec] | None = None
    assets: AssetsSpec | None = None
    iam: IAMSpec | None = None
    encryptionConfig: bool | None = None
    DisableSubnetTags: bool | None = None
    target: TargetSpec | None = None
    useHostCertificates: bool | None = None
    sysctlParameters: list[str] | None = None
    rollingUpdate: RollingUpdate | None = None
    clusterAutoscaler: ClusterAutoscalerConfig | None = None
    warmPool: WarmPoolSpec | None = None
    serviceAccountIssuerDiscovery: ServiceAccountIssuerDiscoveryConfig | None = None
    snapshotController: SnapshotControllerConfig | None = None
    karpenter: KarpenterConfig | None = None
    podIdentityWebhook: PodIdentityWebhookSpec | None = None

    # Not part of upstream's v1alpha2 schema: its decoder silently drops these, and manifests in use
    # carry them. Accepted and written back unchanged so such manifests load; kops never reads them.
    serviceOIDCProvider: dict[str, Any] | None = None
    openstackServiceAccount: str | None = None
