"""Names: the ones users choose (clusters are DNS names, instance groups DNS labels), and the ones derived from them
for cloud resources, cut to a cloud's length limit the way upstream kOps cuts them.

Upstream cuts a name and appends a short hash of the whole name (FNV-1a, base32hex, lowercase), so two long names
that share a prefix stay distinct. Reproducing the same hash keeps names identical to the ones upstream gives an
existing cluster.
"""

from __future__ import annotations

import base64
import re

from kops.errors import FieldError

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def validate_cluster_name(name: str, path: str = "metadata.name") -> None:
    if not name:
        raise FieldError(path, "required")
    if len(name) > 253:
        raise FieldError(path, f"cluster name {name!r} is longer than 253 characters")
    if name != name.lower():
        raise FieldError(path, f"cluster name {name!r} must be lowercase")
    if "." not in name:
        raise FieldError(path, f"cluster name {name!r} must be a fully qualified DNS name "
                               "(e.g. mycluster.example.com, or mycluster.k8s.local for gossip DNS)")
    for label in name.split("."):
        if len(label) > 63 or not _LABEL.match(label):
            raise FieldError(path, f"cluster name {name!r} is not a valid DNS name (label {label!r})")


def validate_group_name(name: str, path: str = "metadata.name") -> None:
    if not name:
        raise FieldError(path, "required")
    if len(name) > 63 or not _LABEL.match(name):
        raise FieldError(path, f"instance group name {name!r} must be a DNS label: lowercase letters, digits "
                               "and '-', at most 63 characters")


def fnv32a(data: bytes) -> int:
    """The 32-bit FNV-1a hash of ``data``."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def hash_string(text: str, length: int = 6) -> str:
    """The first ``length`` characters of the lowercase base32hex FNV-1a hash of ``text``."""
    digest = base64.b32hexencode(fnv32a(text.encode()).to_bytes(4, "big")).decode().lower()
    return digest[:length]


def truncate(text: str, max_length: int, *, always_hash: bool = False, hash_length: int = 6) -> str:
    """``text`` if it fits in ``max_length`` (and no hash is forced); else its start, ``-`` and a hash."""
    if not always_hash and len(text) <= max_length:
        return text
    suffix = hash_string(text, hash_length)
    return text[:max_length - len(suffix) - 1] + "-" + suffix
