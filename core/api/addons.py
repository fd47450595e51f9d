"""Optional cluster add-ons that kops installs and manages when enabled in the cluster spec."""

from .base import KopsModel, MapKey, Quantity


class AddonSpec(KopsModel):
    """An extra add-on channel manifest to apply."""

    manifest: str | None = None


class NTPConfig(KopsModel):
    """Whether kops manages NTP on the nodes."""

    managed: bool | None = None


class NodeTerminationHandlerSpec(KopsModel):
    """The AWS node termination handler, which drains nodes before spot or scheduled termination."""

    deleteSQSMsgIfNodeNotFound: bool | None = None
    enabled: bool | None = None
    enableSpotInterruptionDraining: bool | None = None
    enableScheduledEventDraining: bool | None = None
    enableRebalanceMonitoring: bool | None = None
    enableRebalanceDraining: bool | None = None
    enableOutOfServiceTaint: bool | None = None
    prometheusEnable: bool | None = None
    enableSQSTerminationDraining: bool | None = None
    excludeFromLoadBalancers: bool | None = None
    managedASGTag: str | None = None
    podTerminationGracePeriod: int | None = None
    taintNode: bool | None = None
    memoryLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    version: str | None = None
    webhookTemplate: str | None = None
    webhookURL: str | None = None


class NodeProblemDetectorConfig(KopsModel):
    """node-problem-detector, which reports node health conditions."""

    enabled: bool | None = None
    image: str | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    memoryLimit: Quantity | None = None
    cpuLimit: Quantity | None = None


class ClusterAutoscalerConfig(KopsModel):
    """The cluster autoscaler, which resizes instance groups to fit pending pods."""

    enabled: bool | None = None
    expander: str | None = None
    balanceSimilarNodeGroups: bool | None = None
    emitPerNodegroupMetrics: bool | None = None
    awsUseStaticInstanceList: bool | None = None
    ignoreDaemonSetsUtilization: bool | None = None
    scaleDownUtilizationThreshold: str | None = None
    skipNodesWithCustomControllerPods: bool | None = None
    skipNodesWithSystemPods: bool | None = None
    skipNodesWithLocalStorage: bool | None = None
    newPodScaleUpDelay: str | None = None
    scaleDownDelayAfterAdd: str | None = None
    scaleDownUnneededTime: str | None = None
    scaleDownUnreadyTime: str | None = None
    cordonNodeBeforeTerminating: bool | None = None
    image: str | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None
    maxNodeProvisionTime: str | None = None
    podAnnotations: dict[MapKey, str] | None = None
    createPriorityExpanderConfig: bool | None = None
    customPriorityExpanderConfig: dict[MapKey, list[str]] | None = None


class MetricsServerConfig(KopsModel):
    """metrics-server, which serves resource metrics to the API."""

    enabled: bool | None = None
    image: str | None = None
    insecure: bool | None = None


class CertManagerConfig(KopsModel):
    """cert-manager, used by add-ons that need certificates."""

    enabled: bool | None = None
    managed: bool | None = None
    image: str | None = None
    defaultIssuer: str | None = None
    nameservers: list[str] | None = None
    hostedZoneIDs: list[str] | None = None
    featureGates: dict[MapKey, bool] | None = None


class LoadBalancerControllerSpec(KopsModel):
    """The AWS Load Balancer Controller."""

    enabled: bool | None = None
    version: str | None = None
    enableWAF: bool | None = None
    enableWAFv2: bool | None = None
    enableShield: bool | None = None
    cpuRequest: Quantity | None = None
    cpuLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    memoryLimit: Quantity | None = None


class SnapshotControllerConfig(KopsModel):
    """The CSI volume snapshot controller."""

    enabled: bool | None = None
    installDefaultClass: bool | None = None


class KarpenterConfig(KopsModel):
    """Karpenter, an alternative node provisioner on AWS."""

    enabled: bool | None = None
    logEncoding: str | None = None
    logLevel: str | None = None
    image: str | None = None
    featureGates: str | None = None
    memoryLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None


class PodIdentityWebhookSpec(KopsModel):
    """The pod identity webhook, which injects cloud credentials into pods."""

    enabled: bool | None = None
    replicas: int | None = None
