"""Flags for the control-plane components and kube-proxy, one model per binary."""

from .base import Duration, KopsModel, MapKey, Quantity
from .kube import ContainerEnvVar


class KubeAPIServerConfig(KopsModel):
    """kube-apiserver flags."""

    image: str | None = None
    disableBasicAuth: bool | None = None
    logFormat: str | None = None
    logLevel: int | None = None
    cloudProvider: str | None = None
    compactionInterval: Duration | None = None
    securePort: int | None = None
    insecurePort: int | None = None
    address: str | None = None
    advertiseAddress: str | None = None
    bindAddress: str | None = None
    insecureBindAddress: str | None = None
    enableBootstrapTokenAuth: bool | None = None
    enableAggregatorRouting: bool | None = None
    admissionControl: list[str] | None = None
    appendAdmissionPlugins: list[str] | None = None
    enableAdmissionPlugins: list[str] | None = None
    disableAdmissionPlugins: list[str] | None = None
    admissionControlConfigFile: str | None = None
    serviceClusterIPRange: str | None = None
    serviceNodePortRange: str | None = None
    etcdServers: list[str] | None = None
    etcdServersOverrides: list[str] | None = None
    etcdCaFile: str | None = None
    etcdCertFile: str | None = None
    etcdKeyFile: str | None = None
    basicAuthFile: str | None = None
    clientCAFile: str | None = None
    tlsCertFile: str | None = None
    tlsPrivateKeyFile: str | None = None
    tlsCipherSuites: list[str] | None = None
    tlsMinVersion: str | None = None
    tokenAuthFile: str | None = None
    allowPrivileged: bool | None = None
    apiServerCount: int | None = None
    runtimeConfig: dict[MapKey, str] | None = None
    kubeletClientCertificate: str | None = None
    kubeletCertificateAuthority: str | None = None
    kubeletClientKey: str | None = None
    anonymousAuth: bool | None = None
    kubeletPreferredAddressTypes: list[str] | None = None
    storageBackend: str | None = None
    oidcUsernameClaim: str | None = None
    oidcUsernamePrefix: str | None = None
    oidcGroupsClaim: str | None = None
    oidcGroupsPrefix: str | None = None
    oidcIssuerURL: str | None = None
    oidcClientID: str | None = None
    oidcRequiredClaim: list[str] | None = None
    oidcCAFile: str | None = None
    authenticationConfigFile: str | None = None
    proxyClientCertFile: str | None = None
    proxyClientKeyFile: str | None = None
    auditLogFormat: str | None = None
    auditLogPath: str | None = None
    auditLogMaxAge: int | None = None
    auditLogMaxBackups: int | None = None
    auditLogMaxSize: int | None = None
    auditPolicyFile: str | None = None
    auditWebhookBatchBufferSize: int | None = None
    auditWebhookBatchMaxSize: int | None = None
    auditWebhookBatchMaxWait: Duration | None = None
    auditWebhookBatchThrottleBurst: int | None = None
    auditWebhookBatchThrottleEnable: bool | None = None
    auditWebhookBatchThrottleQps: Quantity | None = None
    auditWebhookConfigFile: str | None = None
    auditWebhookInitialBackoff: Duration | None = None
    auditWebhookMode: str | None = None
    authenticationTokenWebhookConfigFile: str | None = None
    authenticationTokenWebhookCacheTtl: Duration | None = None
    authorizationMode: str | None = None
    authorizationWebhookConfigFile: str | None = None
    authorizationWebhookCacheAuthorizedTtl: Duration | None = None
    authorizationWebhookCacheUnauthorizedTtl: Duration | None = None
    authorizationRbacSuperUser: str | None = None
    encryptionProviderConfig: str | None = None
    experimentalEncryptionProviderConfig: str | None = None
    requestheaderUsernameHeaders: list[str] | None = None
    requestheaderGroupHeaders: list[str] | None = None
    requestheaderExtraHeaderPrefixes: list[str] | None = None
    requestheaderClientCAFile: str | None = None
    requestheaderAllowedNames: list[str] | None = None
    featureGates: dict[MapKey, str] | None = None
    goawayChance: str | None = None
    maxRequestsInflight: int | None = None
    maxMutatingRequestsInflight: int | None = None
    http2MaxStreamsPerConnection: int | None = None
    etcdQuorumRead: bool | None = None
    requestTimeout: Duration | None = None
    storageInitializationTimeout: Duration | None = None
    minRequestTimeout: int | None = None
    watchCache: bool | None = None
    watchCacheSizes: list[str] | None = None
    serviceAccountKeyFile: list[str] | None = None
    serviceAccountSigningKeyFile: str | None = None
    serviceAccountIssuer: str | None = None
    additionalServiceAccountIssuers: list[str] | None = None
    serviceAccountJWKSURI: str | None = None
    apiAudiences: list[str] | None = None
    cpuRequest: Quantity | None = None
    cpuLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    memoryLimit: Quantity | None = None
    eventTTL: Duration | None = None
    auditDynamicConfiguration: bool | None = None
    enableProfiling: bool | None = None
    enableContentionProfiling: bool | None = None
    corsAllowedOrigins: list[str] | None = None
    strictTransportSecurityDirectives: list[str] | None = None
    defaultNotReadyTolerationSeconds: int | None = None
    defaultUnreachableTolerationSeconds: int | None = None
    deleteCollectionWorkers: int | None = None
    env: list[ContainerEnvVar] | None = None


class LeaderElectionConfiguration(KopsModel):
    """Leader election among replicas of a control-plane component."""

    leaderElect: bool | None = None
    leaderElectLeaseDuration: Duration | None = None
    leaderElectRenewDeadlineDuration: Duration | None = None
    leaderElectResourceLock: str | None = None
    leaderElectResourceName: str | None = None
    leaderElectResourceNamespace: str | None = None
    leaderElectRetryPeriod: Duration | None = None


class KubeControllerManagerConfig(KopsModel):
    """kube-controller-manager flags."""

    master: str | None = None
    logFormat: str | None = None
    logLevel: int | None = None
    serviceAccountPrivateKeyFile: str | None = None
    image: str | None = None
    cloudProvider: str | None = None
    clusterName: str | None = None
    clusterCIDR: str | None = None
    allocateNodeCIDRs: bool | None = None
    nodeCIDRMaskSize: int | None = None
    configureCloudRoutes: bool | None = None
    controllers: list[str] | None = None
    cidrAllocatorType: str | None = None
    rootCAFile: str | None = None
    leaderElection: LeaderElectionConfiguration | None = None
    attachDetachReconcileSyncPeriod: Duration | None = None
    disableAttachDetachReconcileSync: bool | None = None
    terminatedPodGCThreshold: int | None = None
    nodeMonitorPeriod: Duration | None = None
    nodeMonitorGracePeriod: Duration | None = None
    podEvictionTimeout: Duration | None = None
    useServiceAccountCredentials: bool | None = None
    horizontalPodAutoscalerSyncPeriod: Duration | None = None
    horizontalPodAutoscalerDownscaleDelay: Duration | None = None
    horizontalPodAutoscalerDownscaleStabilization: Duration | None = None
    horizontalPodAutoscalerUpscaleDelay: Duration | None = None
    horizontalPodAutoscalerInitialReadinessDelay: Duration | None = None
    horizontalPodAutoscalerCpuInitializationPeriod: Duration | None = None
    horizontalPodAutoscalerTolerance: Quantity | None = None
    horizontalPodAutoscalerUseRestClients: bool | None = None
    experimentalClusterSigningDuration: Duration | None = None
    ClusterSigningDuration: Duration | None = None
    featureGates: dict[MapKey, str] | None = None
    tlsCertFile: str | None = None
    tlsCipherSuites: list[str] | None = None
    tlsMinVersion: str | None = None
    tlsPrivateKeyFile: str | None = None
    minResyncPeriod: str | None = None
    kubeAPIQPS: Quantity | None = None
    kubeAPIBurst: int | None = None
    concurrentDeploymentSyncs: int | None = None
    concurrentEndpointSyncs: int | None = None
    concurrentNamespaceSyncs: int | None = None
    concurrentReplicasetSyncs: int | None = None
    concurrentServiceSyncs: int | None = None
    concurrentResourceQuotaSyncs: int | None = None
    concurrentServiceaccountTokenSyncs: int | None = None
    concurrentRcSyncs: int | None = None
    concurrentHorizontalPodAustoscalerSyncs: int | None = None
    concurrentJobSyncs: int | None = None
    authenticationKubeconfig: str | None = None
    authorizationKubeconfig: str | None = None
    authorizationAlwaysAllowPaths: list[str] | None = None
    externalCloudVolumePlugin: str | None = None
    endpointUpdatesBatchPeriod: Duration | None = None
    endpointSliceUpdatesBatchPeriod: Duration | None = None
    enableProfiling: bool | None = None
    enableContentionProfiling: bool | None = None
    enableLeaderMigration: bool | None = None
    cpuRequest: Quantity | None = None
    cpuLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    memoryLimit: Quantity | None = None


class CloudControllerManagerConfig(KopsModel):
    """Flags of the external cloud-controller-manager."""

    master: str | None = None
    logLevel: int | None = None
    image: str | None = None
    cloudProvider: str | None = None
    clusterName: str | None = None
    allowUntaggedCloud: bool | None = None
    clusterCIDR: str | None = None
    allocateNodeCIDRs: bool | None = None
    configureCloudRoutes: bool | None = None
    controllers: list[str] | None = None
    cidrAllocatorType: str | None = None
    leaderElection: LeaderElectionConfiguration | None = None
    useServiceAccountCredentials: bool | None = None
    enableLeaderMigration: bool | None = None
    cpuRequest: Quantity | None = None
    nodeStatusUpdateFrequency: Duration | None = None
    concurrentNodeSyncs: int | None = None
    azureNodeManagerImage: str | None = None


class KubeSchedulerConfig(KopsModel):
    """kube-scheduler flags."""

    master: str | None = None
    logFormat: str | None = None
    logLevel: int | None = None
    image: str | None = None
    leaderElection: LeaderElectionConfiguration | None = None
    usePolicyConfigMap: bool | None = None
    featureGates: dict[MapKey, str] | None = None
    maxPersistentVolumes: int | None = None
    qps: Quantity | None = None
    burst: int | None = None
    kubeAPIQPS: Quantity | None = None
    kubeAPIBurst: int | None = None
    authenticationKubeconfig: str | None = None
    authorizationKubeconfig: str | None = None
    authorizationAlwaysAllowPaths: list[str] | None = None
    enableProfiling: bool | None = None
    enableContentionProfiling: bool | None = None
    tlsCertFile: str | None = None
    tlsPrivateKeyFile: str | None = None
    cpuRequest: Quantity | None = None
    cpuLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    memoryLimit: Quantity | None = None


class KubeProxyConfig(KopsModel):
    """kube-proxy flags."""

    image: str | None = None
    cpuRequest: Quantity | None = None
    cpuLimit: Quantity | None = None
    memoryRequest: Quantity | None = None
    memoryLimit: Quantity | None = None
    logLevel: int | None = None
    clusterCIDR: str | None = None
    hostnameOverride: str | None = None
    bindAddress: str | None = None
    master: str | None = None
    metricsBindAddress: str | None = None
    enabled: bool | None = None
    proxyMode: str | None = None
    ipvsExcludeCidrs: list[str] | None = None
    ipvsMinSyncPeriod: Duration | None = None
    ipvsScheduler: str | None = None
    ipvsSyncPeriod: Duration | None = None
    featureGates: dict[MapKey, str] | None = None
    conntrackMaxPerCore: int | None = None
    conntrackMin: int | None = None
