"""Discovery for AWS: one listing per resource kind per run, filtered by the cluster's tags.

The registry is the engine's (:class:`kops.engine.Discovery`); this module holds the AWS calls listers share.
Each task module registers a lister for its kind at import time::

    @register("vpc")
    def list_vpcs(api: AWSApi, cluster_name: str) -> list[dict]:
        return paginate(api.ec2, "describe_vpcs", "Vpcs", Filters=tag_filters(cluster_name))

A lister returns the raw dicts the API gave (with tags still in AWS's ``[{"Key", "Value"}]`` form), for
every resource tagged for the cluster, owned or shared. :func:`snapshot_for` gathers every
registered kind into the engine's :class:`~kops.engine.Snapshot`, which calls each lister at most once
per run, on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kops.engine import Snapshot
from kops.engine.discovery import Discovery
from kops.ownership import STORE_TAG

from kops_aws.tags import TAG_NAME, from_aws, is_owned, ownership_key

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kops_aws.awsapi import AWSApi

#: The AWS plugin's registry of listers and deletion factories (the engine's :class:`kops.engine.Discovery`).
DISCOVERY = Discovery("kops_aws.tasks")
register = DISCOVERY.register
register_deletions = DISCOVERY.register_deletions
snapshot_for = DISCOVERY.snapshot
deletion_tasks = DISCOVERY.deletion_tasks
kinds = DISCOVERY.kinds


def store_ids(snapshot: Snapshot, cluster_name: str) -> dict[str, str | None]:
    """The state-store ID (:data:`kops.ownership.STORE_TAG`) of every listed resource the cluster owns, by a label
    naming its kind and its Name tag or ID."""
    found: dict[str, str | None] = {}
    for kind in kinds():
        for raw in snapshot.get(kind):
            tags = from_aws(raw.get("Tags"))
            if is_owned(tags, cluster_name):
                found[f"{kind} {_label(raw, tags)}"] = tags.get(STORE_TAG)
    return found


def _label(raw: dict[str, Any], tags: dict[str, str]) -> str:
    ident = next((str(v) for k, v in raw.items() if k.endswith(("Id", "Arn", "Name")) and isinstance(v, str)), "")
    return " ".join(dict.fromkeys(x for x in (tags.get(TAG_NAME), ident) if x)) or "(unnamed)"


def tag_filters(cluster_name: str) -> list[dict[str, Any]]:
    """EC2-style ``Filters`` selecting resources tagged ``kubernetes.io/cluster/<name>`` (owned or shared)."""
    return [{"Name": "tag-key", "Values": [ownership_key(cluster_name)]}]


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item under ``key`` across all pages of ``operation`` (or its single response)."""
    if client.can_paginate(operation):
        items: list[dict[str, Any]] = []
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
        return items
    return list(getattr(client, operation)(**kwargs).get(key, []))


def ec2_tagged(api: AWSApi, cluster_name: str, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """An EC2 describe call (all pages) filtered server-side by the cluster's ownership tag.

    ``Filters`` in ``kwargs`` are added to the tag filter. Resources carrying only the legacy
    ``KubernetesCluster`` tag (clusters made before Kubernetes 1.6) are not listed: one call per kind.
    """
    extra = list(kwargs.pop("Filters", []))
    return paginate(api.ec2, operation, key, Filters=[*tag_filters(cluster_name), *extra], **kwargs)
