"""The tags that say which cluster owns an AWS resource, spelled as upstream kOps spells them.

Discovery lists resources by these tags and deletion removes only what they mark as owned, so a resource
someone else made (untagged) or lent the cluster (``shared``) is never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: The legacy ownership tag: its value is the cluster name.
TAG_CLUSTER_NAME = "KubernetesCluster"
#: ``kubernetes.io/cluster/<name>``: ``owned`` or ``shared``.
TAG_CLUSTER_PREFIX = "kubernetes.io/cluster/"
TAG_NAME = "Name"
#: kOps's role for a route table: ``public``, ``private-<zone>``.
TAG_KOPS_ROLE = "kubernetes.io/kops/role"
#: The instance group an instance (or its Auto Scaling group) belongs to.
TAG_INSTANCE_GROUP = "kops.k8s.io/instancegroup"
#: Which subnets load balancers go into (the cloud controller manager reads these).
TAG_SUBNET_PUBLIC_ELB = "kubernetes.io/role/elb"
TAG_SUBNET_INTERNAL_ELB = "kubernetes.io/role/internal-elb"

OWNED = "owned"
SHARED = "shared"


def ownership_key(cluster_name: str) -> str:
    """``kubernetes.io/cluster/<cluster_name>``."""
    return TAG_CLUSTER_PREFIX + cluster_name


def cluster_tags(cluster_name: str) -> dict[str, str]:
    """The tags every resource the cluster owns carries (a task adds ``Name``; the model adds cloud labels)."""
    return {TAG_CLUSTER_NAME: cluster_name, ownership_key(cluster_name): OWNED}


def shared_tags(cluster_name: str) -> dict[str, str]:
    """The one tag kOps puts on a resource it uses but does not own (a user's subnet)."""
    return {ownership_key(cluster_name): SHARED}


def aws_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """``{"k": "v"}`` as the ``[{"Key": "k", "Value": "v"}]`` list the AWS APIs take, sorted by key."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def from_aws(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """The inverse of :func:`aws_tags`; ``None`` (a resource without tags) is ``{}``."""
    return {t["Key"]: t.get("Value", "") for t in tags or ()}


def is_owned(tags: Mapping[str, str], cluster_name: str) -> bool:
    """Whether the tags mark the resource as the cluster's own (not shared, not someone else's).

    A resource with only the legacy ``KubernetesCluster`` tag is owned, as upstream treats it.
    """
    value = tags.get(ownership_key(cluster_name))
    if value is not None:
        return value == OWNED
    return tags.get(TAG_CLUSTER_NAME) == cluster_name


def belongs_to(tags: Mapping[str, str], cluster_name: str) -> bool:
    """Whether the tags name the cluster at all (owned or shared)."""
    return ownership_key(cluster_name) in tags or tags.get(TAG_CLUSTER_NAME) == cluster_name
