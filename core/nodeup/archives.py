"""Release tarballs: the files nodeup takes out of them (containerd's ``bin/``, the CNI plugins)."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from kops.errors import KopsError


def unpack(tarball: Path, into: Path, pick: Callable[[PurePosixPath], str | None], what: str) -> dict[str, Path]:
    """Extract the regular files ``pick`` names (it returns the file's new name, or None to skip) into
    ``into``; name -> extracted file. Nothing outside ``into`` is ever written, whatever the archive says."""
    into.mkdir(parents=True, exist_ok=True)
    found = {}
    try:
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                name = pick(PurePosixPath(member.name))
                if not member.isfile() or not name or "/" in name or name in (".", ".."):
                    continue
                source = tar.extractfile(member)
                if source is None:
                    continue
                target = into / name
                target.write_bytes(source.read())
                found[name] = target
    except (tarfile.TarError, OSError) as exc:
        raise KopsError(f"{what}: cannot unpack the archive ({exc})") from None
    return found
