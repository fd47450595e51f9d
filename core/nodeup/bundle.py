"""The node bundle: the exact kops that wrote a cluster's nodeup configurations, as machines install it at boot.

Machines boot from the state store alone. ``kops update cluster`` publishes, as two boot files under
``nodeup/bundle/kops-<version>-<digest>/``:

- ``files.json``: every file of kops-core, of the cluster's cloud plugin and of the pure-Python packages they
  need on a machine (click, pluggy, stevedore, PyYAML without its C extension), with ``.dist-info`` metadata
  so entry points resolve as on a workstation. Text only, so one bundle serves every architecture and Python
  version (3.11 and later) and Terraform stores it like any other boot file.
- ``manifest.json``: kops's version, each distribution's version, the SHA-256 of ``files.json`` and of every
  file in it.

The user data names the manifest's SHA-256, so a new kops version (or any change to its files) is a new
launch configuration: instances become NeedsUpdate. Why pure Python: pydantic-core and cryptography are
compiled, and publishing wheels per architecture and Python version would tie every update to a package
index; on a machine, nodeup and the node credential service use the image's ``openssl`` instead
(:mod:`kops.nodeup.openssl`) and need nothing compiled. The bundle is built from the installed packages'
files, byte for byte, so it is the same wherever the same versions are installed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kops.errors import KopsError

#: Pure-Python distributions a machine needs besides kops: name -> the top-level packages taken from it.
DEPENDENCIES = {"click": ("click",), "pluggy": ("pluggy",), "stevedore": ("stevedore",), "PyYAML": ("yaml",)}
#: Folders inside packages that machines never use (test kits and fixtures).
SKIPPED_FOLDERS = frozenset({"__pycache__", "tests", "testing"})
#: Compiled modules: never in the bundle (machines run the pure-Python form).
COMPILED_SUFFIXES = (".so", ".pyd", ".pyc", ".pyo", ".dylib")
FOLDER = "nodeup/bundle"
MANIFEST, ARCHIVE = "manifest.json", "files.json"
KIND = "NodeBundle"


@dataclass(frozen=True)
class NodeBundle:
    version: str
    manifest: bytes
    archive: bytes

    @property
    def digest(self) -> str:
        """The manifest's SHA-256: what the user data pins."""
        return hashlib.sha256(self.manifest).hexdigest()

    @property
    def folder(self) -> str:
        """Where it is stored, relative to the cluster's folder."""
        return f"{FOLDER}/kops-{self.version}-{self.digest[:12]}"

    @property
    def manifest_path(self) -> str:
        return f"{self.folder}/{MANIFEST}"

    @property
    def archive_path(self) -> str:
        return f"{self.folder}/{ARCHIVE}"


def node_bundle(cloud_module: str) -> NodeBundle:
    """The bundle for a cluster whose cloud driver lives in module ``cloud_module`` (``kops_aws.cloud``)."""
    top = cloud_module.split(".")[0]
    owner = _owner(top)
    if owner is None:
        raise KopsError(f"the cloud driver's package {top!r} belongs to no installed distribution, so machines "
                        "cannot be given it; install its plugin with pip")
    return _build(owner, top)


@functools.cache
def _owner(package: str) -> str | None:
    """The distribution that installs ``package``. The one named after it (``kops_aws``: ``kops-aws``) is asked
    first: finding the owner among every installed distribution reads all their metadata, which costs more than
    the rest of a small cluster's update."""
    with contextlib.suppress(metadata.PackageNotFoundError):
        dist = metadata.distribution(package.replace("_", "-"))
        if package in (dist.read_text("top_level.txt") or "").split():
            return str(dist.metadata["Name"])
    owners = metadata.packages_distributions().get(package) or []
    return owners[0] if owners else None


@functools.cache
def _build(cloud_distribution: str, cloud_package: str) -> NodeBundle:
    from kops import __version__

    sources = {"kops-core": ("kops",), cloud_distribution: (cloud_package,), **DEPENDENCIES}
    dists = {name: _distribution(name) for name in sources}
    paths = {key: path for name, packages in sources.items() for package in packages
             for key, path in _package_paths(package).items()}
    # Read as text, not parsed (parsing each METADATA is a good part of a bundle kept from an earlier run).
    metadata_texts = {name: [dist.read_text("METADATA"), dist.read_text("entry_points.txt")]
                      for name, dist in dists.items()}
    stamps = {key: _stamp(path) for key, path in paths.items()}
    key = hashlib.sha256(json.dumps([__version__, metadata_texts, stamps], sort_keys=True).encode()).hexdigest()
    cached = _cached(key)
    if cached is not None:
        return NodeBundle(__version__, *cached)
    files = {key: _read(path) for key, path in paths.items()}
    versions: dict[str, str] = {}
    for name, dist in dists.items():
        versions[dist.metadata["Name"]] = dist.version
        info = f"{dist.metadata['Name'].replace('-', '_')}-{dist.version}.dist-info"
        files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {dist.metadata['Name']}\nVersion: {dist.version}\n"
        entry_points = metadata_texts[name][1]
        if entry_points:
            files[f"{info}/entry_points.txt"] = entry_points
    archive = json.dumps({"files": files}, sort_keys=True, ensure_ascii=False).encode()
    manifest = json.dumps({
        "kind": KIND,
        "kopsVersion": __version__,
        "requiresPython": ">=3.11",
        "distributions": versions,
        "archive": {"path": ARCHIVE, "sha256": hashlib.sha256(archive).hexdigest()},
        "files": {path: hashlib.sha256(text.encode()).hexdigest() for path, text in sorted(files.items())},
    }, indent=1, sort_keys=True).encode()
    _keep(key, manifest, archive)
    return NodeBundle(__version__, manifest, archive)


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _cached(key: str) -> tuple[bytes, bytes] | None:
    """The manifest and archive an earlier run built from files with the same stamps (kops' cache holds the last
    one: reading a few hundred files and hashing each is most of the bundle's cost), if the archive still has the
    SHA-256 its manifest names."""
    from kops.cache import cache_dir

    try:
        with open(cache_dir("node-bundle", f"{key}.manifest"), "rb") as f:
            manifest = f.read()
        with open(cache_dir("node-bundle", f"{key}.archive"), "rb") as f:
            archive = f.read()
        if json.loads(manifest)["archive"]["sha256"] != hashlib.sha256(archive).hexdigest():
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return manifest, archive


def _keep(key: str, manifest: bytes, archive: bytes) -> None:
    """Keeps this bundle in kops' cache in place of any other."""
    import os

    from kops.cache import cache_dir, keep

    folder = cache_dir("node-bundle")
    try:
        for old in os.listdir(folder):
            os.unlink(os.path.join(folder, old))
    except OSError:
        pass
    keep(os.path.join(folder, f"{key}.archive"), archive)
    keep(os.path.join(folder, f"{key}.manifest"), manifest)  # last: it completes the bundle


def _distribution(name: str) -> metadata.Distribution:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise KopsError(f"machines need the {name} distribution, which is not installed here: pip install "
                        f"{name}") from None


def _package_paths(package: str) -> dict[str, Path]:
    """Every file of an importable package that machines are given, by its path from the package's parent folder."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise KopsError(f"package {package} is not installed as a folder, so machines cannot be given it")
    root = Path(next(iter(spec.submodule_search_locations)))
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or SKIPPED_FOLDERS & set(relative.parts[:-1]) or path.suffix in COMPILED_SUFFIXES:
            continue
        found[f"{package}/{relative.as_posix()}"] = path
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KopsError(f"{path}: machines are given text files only, and this one is not") from None
