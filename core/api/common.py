"""Settings shared by Cluster and InstanceGroup specs (an instance group may override the cluster's value)."""

from .base import IntOrString, KopsModel, MapKey


class ExecContainerAction(KopsModel):
    """A container image and command that a hook runs on the node."""

    image: str | None = None
    command: list[str] | None = None
    environment: dict[MapKey, str] | None = None


class HookSpec(KopsModel):
    """A systemd unit run on nodes, either a raw unit or a container to execute (``spec.hooks[]``)."""

    name: str | None = None
    disabled: bool | None = None
    roles: list[str] | None = None
    requires: list[str] | None = None
    before: list[str] | None = None
    execContainer: ExecContainerAction | None = None
    manifest: str | None = None
    useRawManifest: bool | None = None


class FileAssetSpec(KopsModel):
    """A file written onto nodes of the given roles before kubelet starts."""

    name: str | None = None
    path: str | None = None
    roles: list[str] | None = None
    content: str | None = None
    isBase64: bool | None = None
    mode: str | None = None


class RollingUpdate(KopsModel):
    """How many machines a rolling update may replace at once; an int or a percentage string."""

    drainAndTerminate: bool | None = None
    maxUnavailable: IntOrString | None = None
    maxSurge: IntOrString | None = None


class WarmPoolSpec(KopsModel):
    """Pre-initialised stopped instances kept ready so scale-out is fast (AWS)."""

    minSize: int | None = None
    maxSize: int | None = None
    enableLifecycleHook: bool | None = None
    lifecycleHookTimeout: int | None = None
    additionalImages: list[str] | None = None


class PackagesConfig(KopsModel):
    """Download locations and hashes that pin a binary package per CPU architecture."""

    hashAmd64: str | None = None
    hashArm64: str | None = None
    urlAmd64: str | None = None
    urlArm64: str | None = None


class EnvVar(KopsModel):
    """A plain name/value environment variable."""

    name: str
    value: str | None = None
