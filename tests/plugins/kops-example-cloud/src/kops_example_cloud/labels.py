"""The labels the example cloud's resources carry: ownership (which cluster, which state store) and what the model
and etcd-manager look resources up by.

Ownership uses core's keys (:mod:`kops.ownership`): ``kubernetes.io/cluster/<name>`` (``owned``, or ``shared`` for a
resource the cluster only uses) and the state store's ID. The cloud's labels hold any string, so no key needs
rewriting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kops.model import INSTANCE_GROUP_LABEL
from kops.ownership import CLUSTER_TAG_PREFIX, STORE_TAG

#: The role of an instance pool's machines (``ControlPlane``, ``Node``, ``Bastion``): firewall rules select by it.
ROLE_LABEL = "kops.k8s.io/role"
OWNED = "owned"


def cluster_key(cluster_name: str) -> str:
    """The ownership label's key: ``kubernetes.io/cluster/<name>``."""
    return CLUSTER_TAG_PREFIX + cluster_name


def etcd_key(etcd_name: str) -> str:
    """The label of an etcd cluster's volumes, valued ``<member>/<every member>`` as etcd-manager reads it."""
    return f"k8s.io/etcd/{etcd_name}"


def resource_labels(model: Any, **extra: str) -> dict[str, str]:
    """A resource's labels: the user's ``spec.cloudLabels``, then ``extra``, then the ownership labels, which
    nothing may override."""
    labels = {**(model.cluster.spec.cloudLabels or {}), **extra, cluster_key(model.cluster_name): OWNED}
    if model.store_id:
        labels[STORE_TAG] = model.store_id
    return labels


def pool_labels(model: Any, group: Any, role: str) -> dict[str, str]:
    """A pool's labels, which the instances it launches inherit: the group's ``cloudLabels`` too, its name and
    role."""
    return resource_labels(model, **(group.spec.cloudLabels or {}),
                           **{INSTANCE_GROUP_LABEL: group.metadata.name, ROLE_LABEL: role})


def owned(resource: Mapping[str, Any], cluster_name: str) -> bool:
    """Whether a listed resource is the cluster's own (not one it shares)."""
    return (resource.get("labels") or {}).get(cluster_key(cluster_name)) == OWNED
