"""How kops names GCE resources, as upstream names them, so a cluster moved between the two keeps its resources.

GCE names are lowercase letters, digits and ``-``, at most 63 characters. A cluster's name has dots, so it appears
with them turned into dashes (``minimal.example.com`` -> ``minimal-example-com``); a name that would be too long
keeps its start and ends with a hash of the whole (:func:`kops.names.truncate`).
"""

from __future__ import annotations

from kops.names import truncate

#: The longest name GCE accepts for most resources, and for a service account's ID.
MAX_NAME = 63
MAX_SERVICE_ACCOUNT_ID = 30

#: The role words upstream uses in tags, labels and service accounts.
ROLE_WORDS = {"ControlPlane": "control-plane", "Master": "control-plane", "APIServer": "apiserver",
              "Node": "node", "Bastion": "bastion"}


def safe_cluster_name(cluster_name: str) -> str:
    """The cluster's name with dots turned into dashes (the value of the ``k8s-io-cluster-name`` label)."""
    return cluster_name.replace(".", "-")


def truncated_cluster_name(cluster_name: str, max_length: int = MAX_NAME) -> str:
    """The network's name: the safe cluster name, shortened with a hash when too long."""
    return truncate(safe_cluster_name(cluster_name), max_length)


def suffixed(object_name: str, cluster_name: str, max_length: int = MAX_NAME) -> str:
    """``<object>-<cluster>``, the cluster part shortened so the whole fits (firewall rules, subnets, routers,
    load balancer parts, service accounts)."""
    prefix = object_name + "-"
    return prefix + truncate(safe_cluster_name(cluster_name), max_length - len(prefix))


def prefixed(object_name: str, cluster_name: str, max_length: int = MAX_NAME) -> str:
    """``<cluster>-<object>``, the cluster part shortened so the whole fits."""
    suffix = "-" + object_name
    return truncate(safe_cluster_name(cluster_name), max_length - len(suffix)) + suffix


def object_name(object_name: str, cluster_name: str) -> str:
    """``<object>-<cluster>`` with dots turned into dashes, not shortened (instance templates and groups, disks,
    as upstream names them)."""
    return safe_cluster_name(f"{object_name}-{cluster_name}")


def role_tag(cluster_name: str, role: str) -> str:
    """The network tag machines of a role carry, which firewall rules select: ``<cluster>-k8s-io-role-node``,
    the cluster part shortened so the whole fits."""
    return prefixed(f"k8s-io-role-{ROLE_WORDS[role]}", cluster_name)


def legacy_master_tag(cluster_name: str) -> str:
    """The control plane's older tag, ``<cluster>-k8s-io-role-master``, which rules reaching the control plane
    still name beside :func:`role_tag`'s, as upstream's do (machines made before the rename carry only it)."""
    return prefixed("k8s-io-role-master", cluster_name)


def service_account_id(role_word: str, cluster_name: str) -> str:
    """A role's service account ID (``node-minimal-example-com``, at most 30 characters)."""
    return suffixed(role_word, cluster_name, MAX_SERVICE_ACCOUNT_ID)
