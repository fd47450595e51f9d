"""Where things live in a state store, and which relative paths are acceptable.

The layout is upstream kOps's: ``{cluster}/config`` holds the user's Cluster, ``{cluster}/instancegroup/{name}``
each instance group, ``{cluster}/pki/...`` and ``{cluster}/secrets/...`` key material. The store keeps its own
bookkeeping beside them in path segments that start with a dot, which no kOps object uses: the commit journal
and leases under ``.kops/``, earlier versions under ``{cluster}/.history/``. Callers may not write there, and
:meth:`StateStore.list` hides them.
"""

from __future__ import annotations

import re

from kops.errors import KopsError

#: The in-flight multi-object commit, if any (see :mod:`kops.state.journal`).
JOURNAL = ".kops/journal"
#: Leases live under this folder, one object per lease name.
LEASES = ".kops/leases/"
#: Objects whose earlier versions are kept: the ones a user edits and may want back.
_VERSIONED = re.compile(r"^(?P<cluster>[^/]+)/(?P<rest>config|instancegroup/[^/]+)$")
#: How many earlier versions of one object are kept.
HISTORY_LIMIT = 20


def check_path(path: str, *, what: str = "path") -> str:
    """Return ``path`` if it is a clean relative object path, else raise a one-line KopsError naming it."""
    if not isinstance(path, str) or not path:
        raise KopsError(f"invalid state store {what} {path!r}: must be a non-empty relative path such as "
                        "'ha.example.com/config'")
    reason = None
    if path.startswith("/"):
        reason = "must be relative, not start with '/'"
    elif "\\" in path or "\x00" in path:
        reason = "must not contain backslashes or NUL"
    else:
        for segment in path.split("/"):
            if segment in ("", ".", ".."):
                reason = "must not contain empty, '.' or '..' segments"
                break
            if segment.startswith("."):
                reason = "segments starting with '.' are reserved for the store's own bookkeeping"
                break
    if reason:
        raise KopsError(f"invalid state store {what} {path!r}: {reason}")
    return path


def is_internal(path: str) -> bool:
    """True for the store's own bookkeeping objects (any segment starting with a dot)."""
    return any(segment.startswith(".") for segment in path.split("/"))


def history_dir(path: str) -> str | None:
    """The folder holding earlier versions of ``path``, or None when its history is not kept."""
    m = _VERSIONED.match(path)
    if not m:
        return None
    return f"{m['cluster']}/.history/{m['rest']}/"
