"""Reading the nodeup configuration and downloading its assets, each checked against its sha256.

Every asset is downloaded into a scratch directory and verified before nodeup writes anything, so a tampered
or truncated download stops the run with nothing installed.
"""

from __future__ import annotations

import hashlib
import logging
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kops.errors import KopsError

log = logging.getLogger(__name__)

#: Attempts per download; transient network errors are retried with a growing pause.
ATTEMPTS = 3
TIMEOUT = 60
#: Keys every nodeup configuration has.
REQUIRED = ("ClusterName", "KubernetesVersion", "ConfigBase", "Assets", "KubeletConfig")


def read_location(location: str) -> bytes:
    """The bytes at a file path, a ``file://`` URL, or a state store URL (``s3://bucket/.../nodeupconfig.yaml``)."""
    parts = urlsplit(location)
    if "://" not in location or parts.scheme == "file":
        path = Path(unquote(parts.path) if parts.scheme == "file" else location)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise KopsError(f"cannot read {location}: {exc.strerror}") from None
    from kops.state import open_store

    store_url, key = _split_store_url(location)
    obj = open_store(store_url).read(key)
    if obj is None:
        raise KopsError(f"{location}: not found")
    return obj.data


def _split_store_url(location: str) -> tuple[str, str]:
    """(state store URL, key) of an object URL. A group's configuration sits at upstream's
    ``<store>/<cluster>/igconfig/...``, which fixes where the store begins; any other URL is read as the file
    at the end of its folder."""
    marker = "/igconfig/"
    if marker in location:
        base, _, rest = location.partition(marker)
        store_url, _, cluster = base.rpartition("/")
        key = f"{cluster}{marker}{rest}"
    else:
        store_url, _, key = location.rstrip("/").rpartition("/")
    if not key or not store_url or store_url.endswith(":/"):
        raise KopsError(f"{location}: expected the URL of a file, such as s3://bucket/cluster/igconfig/node/"
                        "nodes/nodeupconfig.yaml")
    return store_url, key


def read_config(location: str, sha256: str | None = None) -> dict[str, Any]:
    """The nodeup configuration at ``location``, checked for the keys nodeup relies on and, with ``sha256``, for
    being the configuration the machine was launched for (one stored by a later update is refused: the machine is
    replaced by a rolling update instead)."""
    import hashlib

    import yaml

    data = read_location(location)
    if sha256 and hashlib.sha256(data).hexdigest() != sha256.lower():
        raise KopsError(f"{location}: not the configuration this machine was launched with (sha256 "
                        f"{hashlib.sha256(data).hexdigest()}, expected {sha256}); the cluster was updated since, "
                        "and a rolling update replaces this machine")
    try:
        config = yaml.safe_load(data)
    except yaml.YAMLError:
        raise KopsError(f"{location}: not valid YAML") from None
    if not isinstance(config, dict):
        raise KopsError(f"{location}: expected a nodeup configuration (a mapping)")
    missing = [k for k in REQUIRED if k not in config]
    if missing:
        raise KopsError(f"{location}: not a nodeup configuration (missing {', '.join(missing)})")
    return config


class AssetUnreachable(KopsError):
    """An asset could not be fetched at all (as opposed to fetched with the wrong content)."""


def download_assets(assets: list[dict[str, str]], workdir: Path,
                    unreachable: list[str] | None = None) -> dict[str, Path]:
    """Download and verify every asset; name -> local file. The first mismatch is an error naming the asset.

    With ``unreachable`` (a list), an asset that cannot be fetched at all is tried once, recorded there and
    left out instead of failing the run; a mismatch is still refused.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    out = {}
    for n, asset in enumerate(assets):
        name, url, expected = asset.get("name"), asset.get("url"), str(asset.get("sha256") or "").lower()
        if not name or not url or len(expected) != 64:
            raise KopsError(f"Assets[{n}]: each asset needs a name, a url and a sha256")
        target = workdir / f"{n:02d}-{Path(urlsplit(url).path).name or name}"
        try:
            actual = _download(url, target, attempts=1 if unreachable is not None else ATTEMPTS)
        except AssetUnreachable as exc:
            if unreachable is None:
                raise
            unreachable.append(f"{name}: {exc}")
            continue
        if actual != expected:
            raise KopsError(f"asset {name} ({url}): sha256 mismatch: expected {expected}, got {actual}; "
                            "refusing to install it (nothing was installed)")
        log.info("verified %s %s (%s)", name, asset.get("version", ""), url)
        out[name] = target
    return out


def _download(url: str, target: Path, attempts: int = ATTEMPTS) -> str:
    """Fetch ``url`` (http, https, file, or a state store's scheme such as s3, read with the machine's own
    credentials) into ``target``; return the sha256 of what arrived."""
    scheme = urlsplit(url).scheme
    if not scheme:
        raise KopsError(f"{url}: nodeup downloads URLs (http, https, file or a state store's), not a bare path")
    if scheme not in ("http", "https", "file"):
        try:
            data = read_location(url)
        except KopsError as exc:
            raise AssetUnreachable(f"{url}: download failed: {exc}") from None
        target.write_bytes(data)
        return hashlib.sha256(data).hexdigest()
    delay, attempt = 1.0, 1
    while True:
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response, target.open("wb") as out:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            return digest.hexdigest()
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt >= attempts:
                raise AssetUnreachable(f"{url}: download failed: HTTP {exc.code} {exc.reason}") from None
            reason = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            reason = str(getattr(exc, "reason", exc))
            if scheme == "file" or attempt >= attempts:
                raise AssetUnreachable(f"{url}: download failed: {reason}") from None
        log.warning("download of %s failed (%s); retrying in %.0fs", url, reason, delay)
        time.sleep(delay)
        delay, attempt = delay * 2, attempt + 1
