"""The etcd clusters backing the control plane, their members, backups and etcd-manager settings."""

from .base import Duration, KopsModel, Quantity
from .common import EnvVar


class EtcdBackupSpec(KopsModel):
    """Where etcd backups are stored."""

    backupStore: str | None = None
    image: str | None = None


class EtcdManagerSpec(KopsModel):
    """Settings of etcd-manager, which runs and backs up etcd."""

    image: str | None = None
    env: list[EnvVar] | None = None
    backupInterval: Duration | None = None
    backupRetentionDays: int | None = None
    discoveryPollInterval: Duration | None = None
    listenMetricsURLs: list[str] | None = None
    listenClientHTTPURLs: list[str] | None = None
    logLevel: int | None = None


class EtcdMemberSpec(KopsModel):
    """One etcd member: the control-plane instance group it runs on and its volume."""

    name: str | None = None
    instanceGroup: str | None = None
    volumeType: str | None = None
    volumeIops: int | None = None
    volumeThroughput: int | None = None
    volumeSize: int | None = None
    kmsKeyId: str | None = None
    encryptedVolume: bool | None = None


class EtcdClusterSpec(KopsModel):
    """One etcd cluster (usually ``main`` and ``events``) and where its members run."""

    name: str | None = None
    provider: str | None = None
    etcdMembers: list[EtcdMemberSpec] | None = None
    enableEtcdTLS: bool | None = None
    enableTLSAuth: bool | None = None
    version: str | None = None
    leaderElectionTimeout: Duration | None = None
    heartbeatInterval: Duration | None = None
    image: str | None = None
    backups: EtcdBackupSpec | None = None
    manager: EtcdManagerSpec | None = None
    memoryRequest: Quantity | None = None
    cpuRequest: Quantity | None = None

    # Not part of upstream's v1alpha2 schema: its decoder silently drops these, and manifests in use
    # carry them. Accepted and written back unchanged so such manifests load; kops never reads them.
    volumeIops: int | None = None
    volumeSize: int | None = None
    volumeThroughput: int | None = None
    type: str | None = None
