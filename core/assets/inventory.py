"""Every file and container image a cluster's machines fetch (``kops get assets``), where from, and copying the files
to the cluster's file repository.

Files: each architecture's kubelet, kubectl, CNI plugins, containerd and runc (with their sha256; canonical URL, and
the download URL under ``spec.assets.fileRepository`` when set), and the node bundle the user data installs from
the state store. Images: those of the static pods nodeup writes (the API server, controller manager, scheduler,
kube-proxy, etcd-manager and the etcd releases it mounts), containerd's sandbox image, hooks' containers, and every
add-on of the bootstrap channel; canonical as the images' sources name them, download as nodes pull them through
``spec.assets.containerRegistry`` or ``containerProxy``.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kops.errors import KopsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileAsset:
    canonical: str
    download: str
    sha256: str


@dataclass(frozen=True)
class ImageAsset:
    canonical: str
    download: str


def files(spec: dict[str, Any], bundle: list[tuple[str, bytes]]) -> list[FileAsset]:
    """The files of every architecture (each canonical URL once), then the node bundle's ``(url, content)``."""
    from kops.assets import load_catalog
    from kops.nodeup.assets import file_assets

    out: dict[str, FileAsset] = {}
    for assets in file_assets(spec, load_catalog()).values():
        for asset in assets:
            out.setdefault(asset["canonical"], FileAsset(asset["canonical"], asset["url"], asset["sha256"]))
    for url, content in bundle:
        out.setdefault(url, FileAsset(url, url, hashlib.sha256(content).hexdigest()))
    return list(out.values())


def images(boot_files: list[Any]) -> list[str]:
    """Every image named by the boot files (add-on manifests, etcd-manager pods) and by the static pods, sandbox and
    hooks each nodeup configuration makes, in the order found, each once."""
    import yaml
    from kops.nodeup import pods

    found: dict[str, None] = {}
    for f in boot_files:
        if f.verbatim or not f.path.endswith((".yaml", ".yml")):
            continue
        try:
            documents = list(yaml.safe_load_all(f.content))
        except yaml.YAMLError:
            continue
        for doc in documents:
            if f.path.endswith("nodeupconfig.yaml") and isinstance(doc, dict):
                built = []
                if "APIServerConfig" in doc:
                    built.append(pods.kube_apiserver(doc))
                if "ControlPlaneConfig" in doc:
                    built += [pods.kube_controller_manager(doc), pods.kube_scheduler(doc)]
                if "KubeProxy" in doc:
                    built.append(pods.kube_proxy(doc, "https://127.0.0.1"))
                sandbox = (doc.get("containerdConfig") or {}).get("sandboxImage")
                found.update(dict.fromkeys([*_walk(built), *([sandbox] if sandbox else []), *_hook_images(doc)]))
            else:
                found.update(dict.fromkeys(_walk(doc)))
    return list(found)


def _walk(tree: Any) -> list[str]:
    """Images in a tree: containers' ``image`` and image volumes' ``image.reference``."""
    out: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "image" and isinstance(value, str) and value:
                out.append(value)
            elif key == "image" and isinstance(value, dict) and isinstance(value.get("reference"), str):
                out.append(value["reference"])
            else:
                out += _walk(value)
    elif isinstance(tree, list):
        for item in tree:
            out += _walk(item)
    return out


def _hook_images(config: dict[str, Any]) -> list[str]:
    return [str(hook["execContainer"]["image"]) for level in config.get("Hooks") or [] for hook in level or []
            if isinstance(hook, dict) and (hook.get("execContainer") or {}).get("image") and not hook.get("disabled")]


# --- copying files --------------------------------------------------------------------------------------------

def copy_files(assets: list[FileAsset]) -> list[str]:
    """Copy each file whose download location differs from its canonical one there, checking its sha256; return
    one line per file. A location already holding the right file is left alone. Destinations: ``file://`` and any
    state store URL (``s3://bucket/path``, read by machines with their own credentials); an ``http(s)://``
    repository cannot be written and must already hold the file."""
    lines = []
    for asset in assets:
        if asset.download == asset.canonical:
            continue
        if _holds(asset.download, asset.sha256):
            lines.append(f"{asset.download}: already there")
            continue
        data = _fetch(asset.canonical)
        digest = hashlib.sha256(data).hexdigest()
        if digest != asset.sha256:
            raise KopsError(f"{asset.canonical}: sha256 mismatch: expected {asset.sha256}, got {digest}; not copied")
        _write(asset.download, data)
        lines.append(f"{asset.download}: copied from {asset.canonical}")
    return lines


def _holds(url: str, sha256: str) -> bool:
    try:
        return hashlib.sha256(_fetch(url)).hexdigest() == sha256
    except KopsError:
        return False


def _fetch(url: str) -> bytes:
    if urlsplit(url).scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(url, timeout=300) as response:
                return bytes(response.read())
        except (urllib.error.URLError, OSError) as exc:
            raise KopsError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    from kops.nodeup.fetch import read_location

    return read_location(url)


def _write(url: str, data: bytes) -> None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        raise KopsError(f"{url}: kops cannot write to an http(s) file repository; copy the file there yourself, or "
                        "use a file:// or state store URL (s3://bucket/path) as spec.assets.fileRepository")
    if parts.scheme == "file":
        from pathlib import Path
        from urllib.parse import unquote

        target = Path(unquote(parts.path))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return
    from kops.state import open_store

    key = parts.path.strip("/")
    open_store(f"{parts.scheme}://{parts.netloc}").write(key, data)
