"""The state store: each cluster's configuration, kept as bytes at relative paths under one URL.

``open_store("s3://bucket/prefix")`` picks the backend by URL scheme through the ``kops.state_store``
entry points, so a cloud plugin can add its own scheme. The layout follows upstream kOps
(``{cluster}/config``, ``{cluster}/instancegroup/{name}``, ``{cluster}/pki/...``); see
:mod:`kops.state.base` for the guarantees every backend gives.
"""

from __future__ import annotations

import re

from kops.errors import KopsError
from kops.state.base import (
    ANY,
    ConflictError,
    Lease,
    LeaseHeld,
    LeaseLost,
    StateStore,
    StoredObject,
    Version,
)

__all__ = ["ANY", "ConflictError", "Lease", "LeaseHeld", "LeaseLost", "StateStore", "StoredObject", "Version",
           "open_store"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


def open_store(url: str) -> StateStore:
    """The state store at ``url`` (``s3://bucket/prefix``, ``file:///abs/path``, ``memfs://name``)."""
    m = _SCHEME.match(url) if isinstance(url, str) else None
    if not m:
        raise KopsError(f"invalid state store URL {url!r}: expected SCHEME://LOCATION such as s3://my-bucket "
                        "or file:///var/lib/kops")
    from kops.plugins import load_driver

    store_class = load_driver("state_store", m.group(1).lower())
    return store_class(url)
