"""Which cluster a GCE resource belongs to.

Resources whose type takes labels (disks, addresses, forwarding rules, instances through their template) carry
upstream's ``k8s-io-cluster-name`` label (the cluster's name with dots turned into dashes) and the state store's
ID (``kops-k8s-io-state-store``). The others (networks, subnetworks, firewall rules, routers, target pools,
health checks, backend services, instance templates and groups, service accounts) take no labels; upstream
recognises them by name alone, which two clusters can share (``a.b.example.com`` and ``a-b.example.com`` both
become ``a-b-example-com``; ``nodes-b-a-example-com`` ends like a resource of ``a.example.com``). kops also
writes the cluster's exact name, and the store's ID, into their ``description``: deletion takes a resource of
these types only when its description names the cluster exactly, so nothing a user names can make another
cluster's resources look owned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kops.names import truncate

from kops_gce.names import safe_cluster_name

CLUSTER_LABEL = "k8s-io-cluster-name"
INSTANCE_GROUP_LABEL = "k8s-io-instance-group"
ROLE_LABEL_PREFIX = "k8s-io-role-"
ETCD_LABEL_PREFIX = "k8s-io-etcd-"
#: The state store's ID (:data:`kops.ownership.STORE_TAG`) as a GCE label key.
STORE_LABEL = "kops-k8s-io-state-store"
#: Label values: at most 63 lowercase letters, digits, ``_`` and ``-``.
MAX_LABEL_VALUE = 63

_DESCRIPTION = re.compile(r"^kops cluster (?P<cluster>\S+)(?: state-store (?P<store>\S+))?$")


def cluster_label_value(cluster_name: str) -> str:
    return truncate(safe_cluster_name(cluster_name), MAX_LABEL_VALUE)


def label_value(value: str) -> str:
    """A value as a GCE label can hold it: lowercased, other characters turned into ``-``, shortened."""
    return truncate(re.sub(r"[^a-z0-9_-]", "-", value.lower()), MAX_LABEL_VALUE)


def resource_labels(model: Any, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A labelled resource's labels: the user's ``spec.cloudLabels`` (keys and values as GCE holds them), then
    ``extra``, then the ownership labels, which nothing may override."""
    cloud = model.cloud
    labels = {cloud.label_key(k): label_value(str(v)) for k, v in (model.cluster.spec.cloudLabels or {}).items()}
    labels.update(extra or {})
    labels[CLUSTER_LABEL] = cluster_label_value(model.cluster_name)
    if model.store_id:
        labels[STORE_LABEL] = label_value(model.store_id)
    return labels


def owner_description(model: Any) -> str:
    """The ``description`` of a resource whose type takes no labels: the cluster's exact name and the store's ID."""
    store = f" state-store {model.store_id}" if model.store_id else ""
    return f"kops cluster {model.cluster_name}{store}"


def owned(resource: Mapping[str, Any], cluster_name: str) -> bool:
    """Whether a listed resource (a dict with the API's snake_case fields) is the cluster's: by its description
    where it has one of kops's, else by its cluster label."""
    match = _DESCRIPTION.match(resource.get("description") or "")
    if match:
        return match.group("cluster") == cluster_name
    return (resource.get("labels") or {}).get(CLUSTER_LABEL) == cluster_label_value(cluster_name)


def store_id(resource: Mapping[str, Any]) -> str | None:
    """The state-store ID an owned resource carries (in its description or its labels), or None."""
    match = _DESCRIPTION.match(resource.get("description") or "")
    if match and match.group("store"):
        return match.group("store")
    return (resource.get("labels") or {}).get(STORE_LABEL)
