"""What nodeup puts on a machine, collected in memory first so that nothing is written until all of it is ready.

A :class:`NodeFiles` holds files (path, bytes, mode) and the systemd units to start; :func:`write` lays them down
under a root directory, private material owner-only from the moment it exists.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

#: Mode of every file holding a private key (keys, kubeconfigs with embedded credentials).
PRIVATE = 0o600


@dataclass
class NodeFile:
    path: str
    data: bytes
    mode: int = 0o644
    #: Written only when absent (log files that components append to).
    keep_existing: bool = False
    #: Copy this downloaded file instead of ``data`` (binaries are too large to hold in memory).
    source: Path | None = None


@dataclass
class NodeFiles:
    files: dict[str, NodeFile] = field(default_factory=dict)
    #: Units to enable and start, in order.
    units: list[str] = field(default_factory=list)
    #: Directories that must exist even when empty (the kubelet's static pod folder).
    directories: set[str] = field(default_factory=set)

    def add(self, path: str, data: bytes | str, mode: int = 0o644, *, keep_existing: bool = False) -> None:
        if not path.startswith("/"):
            raise ValueError(f"node paths are absolute: {path!r}")
        self.files[path] = NodeFile(path, data.encode() if isinstance(data, str) else data, mode, keep_existing)

    def copy(self, path: str, source: Path, mode: int = 0o755) -> None:
        self.add(path, b"", mode)
        self.files[path].source = source

    def directory(self, path: str) -> None:
        self.directories.add(path)

    def private(self, path: str, data: bytes | str) -> None:
        self.add(path, data, PRIVATE)

    def unit(self, name: str, definition: str, *, start: bool = True) -> None:
        self.add(f"/lib/systemd/system/{name}", definition)
        if start and name not in self.units:
            self.units.append(name)


def write(root: Path, files: NodeFiles) -> list[Path]:
    """Write every file under ``root``; return the paths written. Directories are created 0755."""
    written = []
    for directory in sorted(files.directories):
        (root / directory.lstrip("/")).mkdir(parents=True, exist_ok=True, mode=0o755)
    for f in sorted(files.files.values(), key=lambda f: f.path):
        target = root / f.path.lstrip("/")
        if f.keep_existing and target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        tmp = target.with_name(f".{target.name}.kops-tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, f.mode)
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), f.mode)
            if f.source is None:
                out.write(f.data)
            else:
                with f.source.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        os.replace(tmp, target)
        written.append(target)
    return written
