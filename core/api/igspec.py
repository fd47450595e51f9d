"""The desired state of an instance group (``InstanceGroup.spec``): a set of identically configured machines."""

from typing import Any

from .base import Duration, KopsModel, MapKey, Quantity
from .common import FileAssetSpec, HookSpec, RollingUpdate, WarmPoolSpec
from .kubelet import KubeletConfigSpec
from .runtime import ContainerdConfig


class AcceleratorConfig(KopsModel):
    """GPUs attached to each instance (GCE)."""

    acceleratorCount: int | None = None
    acceleratorType: str | None = None


class IAMProfileSpec(KopsModel):
    """An existing instance profile to use instead of one kops creates."""

    profile: str | None = None


class InstanceMetadataOptions(KopsModel):
    """Instance metadata service options (IMDSv2 on AWS)."""

    httpPutResponseHopLimit: int | None = None
    httpTokens: str | None = None


class LoadBalancerSpec(KopsModel):
    """An existing load balancer or target group the instances are registered with."""

    loadBalancerName: str | None = None
    targetGroupArn: str | None = None


class MinMaxSpec(KopsModel):
    """An inclusive quantity range."""

    max: Quantity | None = None
    min: Quantity | None = None


class InstanceRequirementsSpec(KopsModel):
    """Attribute-based instance type selection."""

    cpu: MinMaxSpec | None = None
    memory: MinMaxSpec | None = None
    excludedInstanceTypes: list[str] | None = None


class MixedInstancesPolicySpec(KopsModel):
    """Mixing instance types and on-demand/spot capacity in one AWS autoscaling group."""

    instances: list[str] | None = None
    instanceRequirements: InstanceRequirementsSpec | None = None
    onDemandAllocationStrategy: str | None = None
    onDemandBase: int | None = None
    onDemandAboveBase: int | None = None
    spotAllocationStrategy: str | None = None
    spotInstancePools: int | None = None


class UserData(KopsModel):
    """An extra cloud-init part appended to the instance user data."""

    name: str | None = None
    type: str | None = None
    content: str | None = None


class VolumeMountSpec(KopsModel):
    """Formats and mounts a device on each instance."""

    device: str | None = None
    filesystem: str | None = None
    formatOptions: list[str] | None = None
    mountOptions: list[str] | None = None
    path: str | None = None


class VolumeSpec(KopsModel):
    """An additional block device attached to each instance."""

    deleteOnTermination: bool | None = None
    device: str | None = None
    encrypted: bool | None = None
    iops: int | None = None
    throughput: int | None = None
    key: str | None = None
    size: int | None = None
    type: str | None = None


class InstanceGroupSpec(KopsModel):
    """Machines of one role, type and size range, spread over the listed subnets."""

    manager: str | None = None
    role: str | None = None
    image: str | None = None
    minSize: int | None = None
    maxSize: int | None = None
    autoscale: bool | None = None
    autoscalePriority: int | None = None
    machineType: str | None = None
    rootVolumeSize: int | None = None
    rootVolumeType: str | None = None
    rootVolumeIops: int | None = None
    rootVolumeThroughput: int | None = None
    rootVolumeOptimization: bool | None = None
    rootVolumeDeleteOnTermination: bool | None = None
    rootVolumeEncryption: bool | None = None
    rootVolumeEncryptionKey: str | None = None
    volumes: list[VolumeSpec] | None = None
    volumeMounts: list[VolumeMountSpec] | None = None
    subnets: list[str] | None = None
    zones: list[str] | None = None
    hooks: list[HookSpec] | None = None
    maxPrice: str | None = None
    spotDurationInMinutes: int | None = None
    cpuCredits: str | None = None
    associatePublicIp: bool | None = None
    additionalSecurityGroups: list[str] | None = None
    cloudLabels: dict[MapKey, str] | None = None
    nodeLabels: dict[MapKey, str] | None = None
    fileAssets: list[FileAssetSpec] | None = None
    tenancy: str | None = None
    kubelet: KubeletConfigSpec | None = None
    taints: list[str] | None = None
    mixedInstancesPolicy: MixedInstancesPolicySpec | None = None
    capacityRebalance: bool | None = None
    additionalUserData: list[UserData] | None = None
    suspendProcesses: list[str] | None = None
    externalLoadBalancers: list[LoadBalancerSpec] | None = None
    detailedInstanceMonitoring: bool | None = None
    iam: IAMProfileSpec | None = None
    securityGroupOverride: str | None = None
    instanceProtection: bool | None = None
    sysctlParameters: list[str] | None = None
    rollingUpdate: RollingUpdate | None = None
    instanceInterruptionBehavior: str | None = None
    compressUserData: bool | None = None
    instanceMetadata: InstanceMetadataOptions | None = None
    updatePolicy: str | None = None
    warmPool: WarmPoolSpec | None = None
    containerd: ContainerdConfig | None = None
    packages: list[str] | None = None
    guestAccelerators: list[AcceleratorConfig] | None = None
    maxInstanceLifetime: Duration | None = None
    gcpProvisioningModel: str | None = None

    # Not part of upstream's v1alpha2 schema: its decoder silently drops these, and manifests in use
    # carry them. Accepted and written back unchanged so such manifests load; kops never reads them.
    rootVolume: dict[str, Any] | None = None
