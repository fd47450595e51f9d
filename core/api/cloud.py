"""Cloud-provider configuration (``spec.cloudConfig``): storage drivers and OpenStack/Azure settings."""

from pydantic import Field

from .base import KopsModel, MapKey, Quantity


class AzureSpec(KopsModel):
    """Azure subscription, tenant and resource-group settings."""

    subscriptionId: str | None = None
    storageAccountID: str | None = None
    tenantId: str
    resourceGroupName: str | None = None
    routeTableName: str | None = None
    adminUser: str | None = None


class EBSCSIDriverSpec(KopsModel):
    """The AWS EBS CSI driver."""

    enabled: bool | None = None
    managed: bool | None = None
    version: str | None = None
    kubeAPIQPS: Quantity | None = None
    kubeAPIBurst: int | None = None
    hostNetwork: bool | None = None
    volumeAttachLimit: int | None = None
    podAnnotations: dict[MapKey, str] | None = None


class OpenstackBlockStorageConfig(KopsModel):
    """OpenStack Cinder settings."""

    bs_version: str | None = Field(default=None, alias="bs-version")
    ignore_volume_az: bool | None = Field(default=None, alias="ignore-volume-az")
    override_volume_az: str | None = Field(default=None, alias="override-volume-az")
    ignore_volume_microversion: bool | None = Field(default=None, alias="ignore-volume-microversion")
    metricsEnabled: bool | None = None
    createStorageClass: bool | None = None
    csiPluginImage: str | None = None
    csiTopologySupport: bool | None = None
    clusterName: str | None = None


class OpenstackLoadbalancerConfig(KopsModel):
    """OpenStack Octavia/LBaaS settings."""

    method: str | None = None
    provider: str | None = None
    useOctavia: bool | None = None
    floatingNetwork: str | None = None
    floatingNetworkID: str | None = None
    floatingSubnet: str | None = None
    subnetID: str | None = None
    manageSecurityGroups: bool | None = None
    enableIngressHostname: bool | None = None
    ingressHostnameSuffix: str | None = None
    flavorID: str | None = None


class OpenstackMetadata(KopsModel):
    """How OpenStack instances read their metadata."""

    configDrive: bool | None = None


class OpenstackMonitor(KopsModel):
    """Health monitoring of OpenStack load balancer members."""

    delay: str | None = None
    timeout: str | None = None
    maxRetries: int | None = None


class OpenstackNetwork(KopsModel):
    """OpenStack networks used by the cluster."""

    availabilityZoneHints: list[str] | None = None
    ipv6SupportDisabled: bool | None = None
    publicNetworkNames: list[str] | None = None
    internalNetworkNames: list[str] | None = None
    addressSortOrder: str | None = None


class OpenstackRouter(KopsModel):
    """The OpenStack router and external network."""

    externalNetwork: str | None = None
    dnsServers: str | None = None
    externalSubnet: str | None = None
    availabilityZoneHints: list[str] | None = None


class OpenstackSpec(KopsModel):
    """OpenStack cloud settings."""

    loadbalancer: OpenstackLoadbalancerConfig | None = None
    monitor: OpenstackMonitor | None = None
    router: OpenstackRouter | None = None
    blockStorage: OpenstackBlockStorageConfig | None = None
    insecureSkipVerify: bool | None = None
    network: OpenstackNetwork | None = None
    metadata: OpenstackMetadata | None = None


class PDCSIDriver(KopsModel):
    """The GCE persistent-disk CSI driver."""

    enabled: bool | None = None
    version: str | None = None
    defaultStorageClassName: str | None = None


class CloudConfiguration(KopsModel):
    """Cloud-provider settings that are not specific to one component."""

    manageStorageClasses: bool | None = None
    multizone: bool | None = None
    nodeTags: str | None = None
    nodeInstancePrefix: str | None = None
    nodeIPFamilies: list[str] | None = None
    gceServiceAccount: str | None = None
    gceUseStartupScript: bool | None = None
    disableSecurityGroupIngress: bool | None = None
    elbSecurityGroup: str | None = None
    nlbSecurityGroupMode: str | None = None
    useIPBasedNodeNames: bool | None = None
    vSphereUsername: str | None = None
    vSpherePassword: str | None = None
    vSphereServer: str | None = None
    vSphereDatacenter: str | None = None
    vSphereResourcePool: str | None = None
    vSphereDatastore: str | None = None
    vSphereCoreDNSServer: str | None = None
    spotinstProduct: str | None = None
    spotinstOrientation: str | None = None
    openstack: OpenstackSpec | None = None
    azure: AzureSpec | None = None
    awsEBSCSIDriver: EBSCSIDriverSpec | None = None
    gcpPDCSIDriver: PDCSIDriver | None = None
