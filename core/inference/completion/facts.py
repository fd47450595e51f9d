"""What completion rules read from the spec: the Kubernetes version, IP families, service IPs, images.

Rules are small, so the reading of shared facts lives here once: every rule that needs "is this an
IPv6-only cluster" or "the kube-apiserver image for this version" asks the same function.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from kops.errors import KopsError
from kops.inference.base import InferenceContext
from kops.versions import Version

#: Where Kubernetes' own images are published.
KUBERNETES_REGISTRY = "registry.k8s.io"

_URL_MINOR = re.compile(r"/v1\.(\d+)\.")


@dataclass(frozen=True)
class KubernetesVersion:
    """``spec.kubernetesVersion``: a release (``1.35.0-alpha.1``) or a base URL of a custom build."""

    #: The version as image tags write it: without a leading ``v``.
    text: str
    version: Version
    #: A URL to download binaries from; image tags for it are only known after a download.
    base_url: bool = False

    @property
    def minor(self) -> int:
        return self.version.minor

    def is_lt(self, other: str) -> bool:
        """Whether the version is older than ``other``; pre-releases count as their release (1.34.0-rc.1 is 1.34)."""
        release = Version(self.version.major, self.version.minor, self.version.patch)
        return release < Version.parse(other)


def kubernetes_version(ctx: InferenceContext) -> KubernetesVersion | None:
    text = str(ctx.spec.get("kubernetesVersion") or "").strip()
    if not text:
        return None
    if text.startswith(("http:", "https:", "memfs:")):
        m = _URL_MINOR.search(text)
        if not m:
            raise KopsError(f"spec.kubernetesVersion: cannot tell the Kubernetes version of the build at {text!r}")
        return KubernetesVersion(text, Version(1, int(m.group(1)), 0), base_url=True)
    try:
        parsed = Version.parse(text)
    except KopsError as exc:
        raise KopsError(f"spec.kubernetesVersion: {exc}") from exc
    return KubernetesVersion(text.removeprefix("v"), parsed)


def require_version(ctx: InferenceContext) -> KubernetesVersion:
    version = kubernetes_version(ctx)
    if version is None:
        raise KopsError("spec.kubernetesVersion: required to complete the cluster spec (set it, or set spec.channel "
                        "to a channel that recommends one)")
    return version


def remap_image(ctx: InferenceContext, image: str) -> str:
    """An image as nodes pull it: through ``spec.assets.containerProxy`` and/or from ``containerRegistry``.

    A proxy replaces the registry host (Docker Hub short names get the proxy prefixed); a registry
    mirror flattens the image path into one name under the mirror.
    """
    proxy = str(ctx.get("spec.assets.containerProxy") or "").rstrip("/")
    if proxy:
        first = image.split("/")[0]
        if image.count("/") <= 1 and not any(c in first for c in ".:"):
            image = f"{proxy}/{image}"
        else:
            image = proxy + image[len(first):]
    mirror = str(ctx.get("spec.assets.containerRegistry") or "")
    if mirror:
        name = image.removeprefix(KUBERNETES_REGISTRY + "/")
        if not name.startswith(mirror + "/"):
            name = mirror + "/" + name.replace("/", "-")
        image = name
    return image


def kubernetes_image(ctx: InferenceContext, component: str) -> str | None:
    """The image of a Kubernetes component (``kube-apiserver``) for the cluster's version; None for custom builds."""
    version = require_version(ctx)
    if version.base_url:
        ctx.warnings.append(f"{component}: the image tag of the custom build at {version.text} is read when nodes are "
                            "configured; it is not recorded in the completed spec")
        return None
    return remap_image(ctx, f"{KUBERNETES_REGISTRY}/{component}:v{version.text}")


def ipv6_only(ctx: InferenceContext) -> bool:
    """IPv6-only clusters are the ones whose non-masquerade CIDR is an IPv6 range (``::/0``)."""
    return ":" in str(ctx.spec.get("nonMasqueradeCIDR") or "")


def kops_controller_ipam(ctx: InferenceContext) -> bool:
    """Whether kops-controller, rather than kube-controller-manager, hands out pod ranges (IPv6-only clusters)."""
    return ipv6_only(ctx)


def networking_kind(ctx: InferenceContext) -> str | None:
    """The provider key under ``spec.networking`` (``kubenet``, ``cni``, ``calico``...), if any."""
    networking = ctx.spec.get("networking") or {}
    for key, value in networking.items():
        if value is not None:
            return str(key)
    return None


def cloud_routes(ctx: InferenceContext) -> bool | None:
    """Whether the cloud's route table carries pod traffic: only with kubenet; None when no networking is chosen."""
    kind = networking_kind(ctx)
    if kind is None:
        return None
    return kind == "kubenet"


def service_ip(ctx: InferenceContext, offset: int) -> str:
    """The ``offset``-th address of the service range (10 is cluster DNS)."""
    text = str(ctx.spec.get("serviceClusterIPRange") or "")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise KopsError(f"spec.serviceClusterIPRange: invalid CIDR {text!r}") from exc
    return str(network.network_address + offset)


def join_path(base: str, *parts: str) -> str:
    """``base`` joined with ``parts`` by single slashes (state store URLs keep their scheme's ``//``)."""
    path = base
    for part in parts:
        path = path.rstrip("/") + "/" + part.lstrip("/")
    return path
