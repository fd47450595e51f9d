"""Container runtimes on the nodes: containerd (the default) and the legacy Docker settings."""

from .base import Duration, IntOrString, KopsModel, MapKey
from .common import PackagesConfig


class GVisorConfig(KopsModel):
    """The gVisor sandboxed runtime."""

    enabled: bool | None = None
    platform: str | None = None


class NRIConfig(KopsModel):
    """containerd's Node Resource Interface plugin settings."""

    enabled: bool | None = None
    pluginRegistrationTimeout: Duration | None = None
    pluginRequestTimeout: Duration | None = None


class DCGMExporterConfig(KopsModel):
    """The NVIDIA DCGM exporter for GPU metrics."""

    enabled: bool | None = None


class NvidiaGPUConfig(KopsModel):
    """NVIDIA driver and container toolkit installation on GPU nodes."""

    package: str | None = None
    enabled: bool | None = None
    image: str | None = None
    dcgmExporter: DCGMExporterConfig | None = None


class Runc(KopsModel):
    """The runc version and packages installed with containerd."""

    version: str | None = None
    packages: PackagesConfig | None = None


class ContainerdConfig(KopsModel):
    """containerd version, packages and configuration."""

    address: str | None = None
    configAdditions: dict[MapKey, IntOrString] | None = None
    configOverride: str | None = None
    logLevel: str | None = None
    packages: PackagesConfig | None = None
    registryMirrors: dict[MapKey, list[str]] | None = None
    root: str | None = None
    skipInstall: bool | None = None
    state: str | None = None
    version: str | None = None
    nvidiaGPU: NvidiaGPUConfig | None = None
    gvisor: GVisorConfig | None = None
    runc: Runc | None = None
    selinuxEnabled: bool | None = None
    nri: NRIConfig | None = None
    useECRCredentialsForMirrors: bool | None = None
    installCriCtl: bool | None = None
    installNerdCtl: bool | None = None
    sandboxImage: str | None = None


class DockerConfig(KopsModel):
    """Docker daemon settings (Docker is no longer a supported runtime; kept so old manifests load)."""

    authorizationPlugins: list[str] | None = None
    bridge: str | None = None
    bridgeIP: str | None = None
    dataRoot: str | None = None
    defaultUlimit: list[str] | None = None
    defaultRuntime: str | None = None
    dns: list[str] | None = None
    execOpt: list[str] | None = None
    execRoot: str | None = None
    experimental: bool | None = None
    healthCheck: bool | None = None
    hosts: list[str] | None = None
    ipMasq: bool | None = None
    ipTables: bool | None = None
    insecureRegistry: str | None = None
    insecureRegistries: list[str] | None = None
    liveRestore: bool | None = None
    logDriver: str | None = None
    logLevel: str | None = None
    logOpt: list[str] | None = None
    maxConcurrentDownloads: int | None = None
    maxConcurrentUploads: int | None = None
    maxDownloadAttempts: int | None = None
    metricsAddress: str | None = None
    mtu: int | None = None
    packages: PackagesConfig | None = None
    registryMirrors: list[str] | None = None
    runtimes: list[str] | None = None
    selinuxEnabled: bool | None = None
    skipInstall: bool | None = None
    storage: str | None = None
    storageOpts: list[str] | None = None
    userNamespaceRemap: str | None = None
    version: str | None = None
