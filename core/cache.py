"""Where kops keeps what it can always work out again (``$XDG_CACHE_HOME/kops``, else ``~/.cache/kops``): the
installed plugins' entry points, compiled add-on templates. Losing it, or having none writable, only costs time."""

from __future__ import annotations

import os


def cache_dir(*parts: str) -> str:
    """The path of ``parts`` inside kops' cache folder (not created)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kops", *parts)
