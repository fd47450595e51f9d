"""The files a node downloads, chosen at update time: one list per CPU architecture, each with URL and sha256.

Versions come from the completed spec (``kubernetesVersion``, ``containerd.version``, ``containerd.runc.version``)
and, for the CNI plugins, from the Kubernetes minor as upstream pairs them. runc is installed when the spec
pins it (the completed spec does together with the default containerd; a containerd of the user's choice
may bring its own). Hashes come from the catalog
(:mod:`kops.assets`), except where the spec pins a package with its own URL and hash
(``spec.containerd.packages``, ``spec.containerd.runc.packages``). With ``spec.assets.fileRepository`` the
download URL moves to the mirror (the canonical URL's path under the mirror), the hash stays the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kops.assets import ARCHITECTURES, HashCatalog
from kops.errors import KopsError
from kops.versions import Version

#: CNI plugins release by the first Kubernetes minor that uses it (as upstream pairs them).
CNI_BY_MINOR = ((24, "0.9.1"), (27, "1.2.0"), (29, "1.3.0"), (30, "1.4.1"), (31, "1.5.1"), (32, "1.6.2"),
                (34, "1.7.1"), (35, "1.8.0"), (36, "1.9.1"))


def kubernetes_version(spec: dict[str, Any]) -> str:
    """``spec.kubernetesVersion`` without its ``v``, checked to be a version (not a URL)."""
    text = str(spec.get("kubernetesVersion") or "")
    return str(Version.parse(text)) if text else _missing("spec.kubernetesVersion")


def installs_cni_plugins(spec: dict[str, Any]) -> bool:
    """Whether nodes get the standard CNI plugins: not with Calico or the Amazon VPC CNI, which bring their own,
    and with Cilium only in portmap chaining mode."""
    networking = spec.get("networking") or {}
    if networking.get("cilium") is not None:
        return (networking["cilium"] or {}).get("chainingMode") == "portmap"
    return networking.get("amazonvpc") is None and networking.get("calico") is None


def cni_version(k8s_version: str) -> str:
    minor = Version.parse(k8s_version).minor
    chosen = [v for first, v in CNI_BY_MINOR if minor >= first]
    if not chosen:
        raise KopsError(f"spec.kubernetesVersion: {k8s_version} is older than any Kubernetes kops installs "
                        f"(1.{CNI_BY_MINOR[0][0]} or later)")
    return chosen[-1]


def node_assets(spec: dict[str, Any], catalog: HashCatalog) -> dict[str, list[dict[str, str]]]:
    """arch -> the assets nodes of this cluster install, in install order (name, version, url, sha256)."""
    return {arch: [{k: v for k, v in asset.items() if k != "canonical"} for asset in assets]
            for arch, assets in file_assets(spec, catalog).items()}


def file_assets(spec: dict[str, Any], catalog: HashCatalog) -> dict[str, list[dict[str, str]]]:
    """:func:`node_assets`, each also with its ``canonical`` URL (where ``url`` is when there is no mirror)."""
    k8s = kubernetes_version(spec)
    containerd = spec.get("containerd") or {}
    out: dict[str, list[dict[str, str]]] = {}
    for arch in ARCHITECTURES:
        wanted: list[tuple[str, str, tuple[str, str] | None]] = [("kubelet", k8s, None), ("kubectl", k8s, None)]
        if installs_cni_plugins(spec):
            wanted.append(("cni-plugins", cni_version(k8s), None))
        if not containerd.get("skipInstall"):
            wanted.append(("containerd", _required(containerd, "version", "spec.containerd.version"),
                           _package(containerd, "spec.containerd.packages", arch)))
            runc = containerd.get("runc") or {}
            runc_version = str(runc.get("version") or "").lstrip("v")
            runc_package = _package(runc, "spec.containerd.runc.packages", arch)
            if runc_version or runc_package:
                wanted.append(("runc", runc_version or "pinned", runc_package))
        out[arch] = [_asset(spec, catalog, name, version, arch, pinned) for name, version, pinned in wanted]
    return out


def _asset(spec: dict[str, Any], catalog: HashCatalog, name: str, version: str, arch: str,
           pinned: tuple[str, str] | None) -> dict[str, str]:
    if pinned is not None:
        canonical, sha256 = pinned
    else:
        canonical, sha256 = catalog.url(name, version, arch), catalog.sha256(name, version, arch)
    return {"name": name, "version": version, "url": remap(spec, canonical), "sha256": sha256, "canonical": canonical}


def remap(spec: dict[str, Any], canonical: str) -> str:
    """The download URL: the canonical one, or its path under ``spec.assets.fileRepository``."""
    repository = str((spec.get("assets") or {}).get("fileRepository") or "")
    if not repository:
        return canonical
    return repository.rstrip("/") + urlsplit(canonical).path


def _package(config: dict[str, Any], where: str, arch: str) -> tuple[str, str] | None:
    """A package pinned by URL and hash for ``arch``; both or neither must be given."""
    packages = config.get("packages") or {}
    suffix = arch.capitalize()
    url, digest = packages.get(f"url{suffix}"), packages.get(f"hash{suffix}")
    if not url and not digest:
        return None
    if not url or not digest:
        raise KopsError(f"{where}: url{suffix} and hash{suffix} must be set together")
    digest = str(digest).lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise KopsError(f"{where}.hash{suffix}: expected a sha256 (64 hexadecimal digits)")
    return str(url), digest


def _required(config: dict[str, Any], key: str, where: str) -> str:
    value = str(config.get(key) or "")
    return value.lstrip("v") if value else _missing(where)


def _missing(where: str) -> str:
    raise KopsError(f"{where}: required to choose what nodes install (the completed spec sets it)")
