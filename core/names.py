"""Names users choose: clusters are DNS names, instance groups DNS labels (they become cloud resource names)."""

from __future__ import annotations

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
