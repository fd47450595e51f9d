"""The example cloud's listers and deletion factories (core's :class:`kops.engine.Discovery`): each task module
registers, for its kind, a lister (every resource labelled for the cluster, as the API gives it) and a deletion
factory (a deletion task per resource the cluster owns)."""

from __future__ import annotations

from typing import Any

from kops.engine import Discovery, Snapshot
from kops.ownership import STORE_TAG

from kops_example_cloud.labels import cluster_key, owned

DISCOVERY = Discovery("kops_example_cloud.tasks")


def labelled(api: Any, kind: str, cluster_name: str) -> list[dict[str, Any]]:
    """Every resource of the API's ``kind`` labelled for the cluster (owned or shared): one call."""
    return api.list(kind, label=cluster_key(cluster_name))


def store_ids(snapshot: Snapshot, cluster_name: str) -> dict[str, str | None]:
    """The state-store ID each listed resource the cluster owns carries, by ``<kind> <name>``."""
    return {f"{kind} {r['name']}": r["labels"].get(STORE_TAG)
            for kind in DISCOVERY.kinds() for r in snapshot.get(kind) if owned(r, cluster_name)}
