"""Where kops keeps what it can always work out again (``$XDG_CACHE_HOME/kops``, else ``~/.cache/kops``): the
installed plugins' entry points, compiled add-on templates, the last node bundle. Losing it, or having none writable,
only costs time."""

from __future__ import annotations

import os


def cache_dir(*parts: str) -> str:
    """The path of ``parts`` inside kops' cache folder (not created)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kops", *parts)


def keep(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` in the cache whole or not at all (through a file of this process's, renamed over
    it), so a run reading it at the same time sees the old bytes or the new; a cache that cannot be written is only
    slower, so failing to is not an error."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
