"""The installed distributions' ``kops.*`` entry points, kept in a cache between runs.

Reading entry points with :mod:`importlib.metadata` imports the email package and parses every installed
distribution's metadata, which costs more than the rest of ``kops --help`` together. The answer only changes
when distributions are installed, upgraded or removed, so it is cached in ``$XDG_CACHE_HOME/kops`` under a
fingerprint of what pip changes on each of those: every import path entry's modification time, the names of
the ``.dist-info``/``.egg-info`` folders in it (a new version is a new name) and each one's
``entry_points.txt`` (time, size and inode, so a rewrite in place counts). A fingerprint that differs reads
the metadata again; a plugin installed or removed a moment ago is therefore seen on the next run, with no
cache to clear. A cache that cannot be read or written is only slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Entry-point groups kept: kops' own.
GROUP_PREFIX = "kops."
_FORMAT = 1
_METADATA_SUFFIXES = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class EntryPoint:
    """One entry point, with the name and version of the distribution that declares it."""

    name: str
    value: str
    group: str
    dist: str
    version: str

    def load(self) -> Any:
        """The object ``module:attr.path`` names, imported as :meth:`importlib.metadata.EntryPoint.load` does."""
        import importlib

        module, _, attrs = self.value.partition("[")[0].partition(":")
        obj = importlib.import_module(module.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def entry_points(group: str) -> tuple[EntryPoint, ...]:
    """The entry points of one ``kops.*`` group, sorted by name."""
    return tuple(ep for ep in _all() if ep.group == group)


def distribution_version(dist: str) -> str | None:
    """The version of an installed distribution that declares ``kops.*`` entry points (None for any other)."""
    return next((ep.version for ep in _all() if ep.dist == dist), None)


_loaded: tuple[EntryPoint, ...] | None = None
_print: str | None = None


def _all() -> tuple[EntryPoint, ...]:
    global _loaded
    if _loaded is None:
        fingerprint = _fingerprint()
        path = _cache_path()
        _loaded = _read(path, fingerprint)
        if _loaded is None:
            _loaded = _scan()
            _write(path, fingerprint, _loaded)
    return _loaded


def derived(name: str, compute: Callable[[], tuple[Any, list[str] | None]]) -> Any:
    """A JSON value worked out from the installed plugins (``kops --help``'s lines for their commands), kept in the
    cache beside the entry points. ``compute`` returns the value and the source files it came from (None: keep
    nothing, as when a plugin failed to load); the value is worked out again when the installed distributions change
    or one of those files does (a plugin being edited)."""
    path = _cache_path().removesuffix(".json") + f"-{name}.json"
    fingerprint = _fingerprint()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("fingerprint") == fingerprint and all(
                _stamp(file) == stamp for file, stamp in data["files"].items()):
            return data["value"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    value, files = compute()
    if files is not None:
        _dump(path, {"fingerprint": fingerprint, "files": {f: _stamp(f) for f in files}, "value": value})
    return value


def _stamp(file: str) -> str:
    try:
        st = os.stat(file)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_size}"


def _fingerprint() -> str:
    global _print
    if _print is None:
        _print = _fingerprint_now()
    return _print


def _fingerprint_now() -> str:
    digest = hashlib.sha256()
    for entry in sys.path:
        digest.update(f"\0{entry}".encode())
        try:
            digest.update(str(os.stat(entry or ".").st_mtime_ns).encode())
            with os.scandir(entry or ".") as found:
                names = sorted(e.name for e in found if e.name.endswith(_METADATA_SUFFIXES))
        except OSError:
            continue
        for name in names:
            try:
                st = os.stat(os.path.join(entry or ".", name, "entry_points.txt"))
                stamp = f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"
            except OSError:
                stamp = "-"
            digest.update(f"\0{name}\0{stamp}".encode())
    return digest.hexdigest()


def _cache_path() -> str:
    from kops.cache import cache_dir

    # One file per interpreter and import path, so virtualenvs sharing a home do not overwrite each other's.
    key = hashlib.sha256("\0".join([sys.executable, *sys.path]).encode()).hexdigest()[:16]
    return cache_dir(f"entry-points-{key}.json")


def _read(path: str, fingerprint: str) -> tuple[EntryPoint, ...] | None:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") != _FORMAT or data.get("fingerprint") != fingerprint:
            return None
        return tuple(EntryPoint(*row) for row in data["entry_points"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write(path: str, fingerprint: str, found: tuple[EntryPoint, ...]) -> None:
    rows = [[ep.name, ep.value, ep.group, ep.dist, ep.version] for ep in found]
    _dump(path, {"format": _FORMAT, "fingerprint": fingerprint, "entry_points": rows})


def _dump(path: str, data: dict[str, Any]) -> None:
    from kops.cache import keep

    keep(path, json.dumps(data).encode())


def _scan() -> tuple[EntryPoint, ...]:
    """Every distribution's ``kops.*`` entry points; of distributions with one name, the first on the import path
    counts, as :func:`importlib.metadata.entry_points` decides."""
    import re
    from importlib import metadata

    seen: set[str] = set()
    found: list[EntryPoint] = []
    for dist in metadata.distributions():
        name = dist.name or "?"
        key = re.sub(r"[-_.]+", "_", name).lower()
        if key in seen:
            continue
        seen.add(key)
        found.extend(EntryPoint(ep.name, ep.value, ep.group, name, dist.version)
                     for ep in dist.entry_points if ep.group.startswith(GROUP_PREFIX))
    return tuple(sorted(found, key=lambda ep: (ep.group, ep.name)))
