"""The hash catalog: the sha256 of every file nodes download, by component, version and CPU architecture.

Nodes install binaries fetched over the network, so each download is checked against a hash that kops
knows before the node ever sees the file. The catalog ships with kops (``hashes.yaml`` next to this
module) and covers the versions kops supports; ``kops update cluster`` looks every asset up here and a
version it does not know is an error naming the component and version, never a download without a hash.

A site that serves its own builds (from ``spec.assets.fileRepository``) adds or replaces hashes with files
of the same form named in ``KOPS_ASSET_HASHES`` (several separated by ``os.pathsep``); their entries win.

The file's form::

    components:
      kubelet:
        url: https://dl.k8s.io/release/v{version}/bin/linux/{arch}/kubelet
        sha256:
          1.35.7: {amd64: <hex>, arm64: <hex>}
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kops.errors import KopsError

#: Environment variable naming extra catalog files, for builds served from a site's own file repository.
ASSET_HASHES_ENV = "KOPS_ASSET_HASHES"
#: The CPU architectures nodes run on, as upstream names them.
ARCHITECTURES = ("amd64", "arm64")

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Component:
    """One downloadable component: where its canonical file lives and the known hashes per version."""

    name: str
    #: Canonical URL with ``{version}`` and ``{arch}`` placeholders.
    url: str
    #: version -> arch -> sha256 (lowercase hex).
    sha256: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class HashCatalog:
    components: dict[str, Component] = field(default_factory=dict)

    def url(self, component: str, version: str, arch: str) -> str:
        """The canonical download URL of ``component`` at ``version`` for ``arch``."""
        return self._component(component).url.format(version=version, arch=arch)

    def sha256(self, component: str, version: str, arch: str) -> str:
        """The known sha256; a version or architecture missing from the catalog is an error naming it."""
        entry = self._component(component)
        hashes = entry.sha256.get(version)
        if hashes is None:
            known = sorted(entry.sha256, key=_version_key)
            span = f"{len(known)} versions, {known[0]} to {known[-1]}" if known else "no versions"
            raise KopsError(f"{component} {version}: no sha256 in the hash catalog, so nodes could not verify "
                            f"the download (the catalog has {span}); choose a version it has or add the "
                            f"hashes to a file named in {ASSET_HASHES_ENV}")
        if arch not in hashes:
            raise KopsError(f"{component} {version}: no sha256 for architecture {arch} in the hash catalog; "
                            f"add it to a file named in {ASSET_HASHES_ENV}")
        return hashes[arch]

    def merge(self, other: HashCatalog) -> None:
        """Add ``other``'s entries; where both know a version and architecture, ``other`` wins."""
        for name, comp in other.components.items():
            mine = self.components.get(name)
            if mine is None:
                self.components[name] = Component(name, comp.url, {v: dict(h) for v, h in comp.sha256.items()})
                continue
            if comp.url:
                mine.url = comp.url
            for version, hashes in comp.sha256.items():
                mine.sha256.setdefault(version, {}).update(hashes)

    def _component(self, name: str) -> Component:
        entry = self.components.get(name)
        if entry is None or not entry.url:
            raise KopsError(f"the hash catalog has no component {name!r}; add it to a file named in "
                            f"{ASSET_HASHES_ENV}")
        return entry


def parse_catalog(text: str, source: str) -> HashCatalog:
    """A catalog from its YAML text; errors name ``source`` and the entry at fault."""
    import yaml

    try:
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KopsError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("components"), dict):
        raise KopsError(f"{source}: expected a mapping with a 'components' mapping")
    catalog = HashCatalog()
    for name, body in doc["components"].items():
        where = f"{source}: components.{name}"
        if not isinstance(body, dict):
            raise KopsError(f"{where}: expected a mapping with url and sha256")
        url = str(body.get("url") or "")
        if url and ("{version}" not in url or "{arch}" not in url):
            raise KopsError(f"{where}.url: must contain {{version}} and {{arch}}")
        versions = body.get("sha256") or {}
        if not isinstance(versions, dict):
            raise KopsError(f"{where}.sha256: expected version: {{arch: sha256}}")
        comp = Component(str(name), url)
        for version, hashes in versions.items():
            if not isinstance(hashes, dict):
                raise KopsError(f"{where}.sha256.{version}: expected arch: sha256")
            for arch, digest in hashes.items():
                if arch not in ARCHITECTURES:
                    raise KopsError(f"{where}.sha256.{version}.{arch}: unknown architecture (known: "
                                    f"{', '.join(ARCHITECTURES)})")
                if not isinstance(digest, str) or not _SHA256.match(digest.lower()):
                    raise KopsError(f"{where}.sha256.{version}.{arch}: expected 64 hexadecimal digits")
                comp.sha256.setdefault(str(version), {})[arch] = digest.lower()
        catalog.components[comp.name] = comp
    return catalog


def load_catalog(extra: list[str] | None = None) -> HashCatalog:
    """The shipped catalog, overlaid with the files in ``extra`` (default: those named in ``KOPS_ASSET_HASHES``)."""
    shipped = resources.files(__name__).joinpath("hashes.yaml").read_text()
    catalog = parse_catalog(shipped, "kops hash catalog")
    if extra is None:
        extra = [p for p in os.environ.get(ASSET_HASHES_ENV, "").split(os.pathsep) if p]
    for path in extra:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise KopsError(f"{ASSET_HASHES_ENV}: cannot read {path}: {exc.strerror}") from None
        catalog.merge(parse_catalog(text, path))
    return catalog


def _version_key(version: str) -> Any:
    from kops.versions import Version

    try:
        return (0, Version.parse(version))
    except KopsError:
        return (1, version)
