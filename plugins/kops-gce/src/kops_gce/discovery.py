"""The GCE listers and deletion factories (core's :class:`kops.engine.Discovery`): each task module registers, for
its kind (the Compute collection's name: ``networks``, ``instanceGroupManagers``...), a lister giving every
resource that may be the cluster's in one or a few calls, and a deletion factory giving a deletion task for each
one the cluster owns (:func:`kops_gce.labels.owned`)."""

from __future__ import annotations

from typing import Any

from kops.engine import Discovery, Snapshot

from kops_gce.labels import CLUSTER_LABEL, cluster_label_value, owned, store_id

DISCOVERY = Discovery("kops_gce.tasks")


def label_filter(cluster_name: str) -> str:
    """The list filter for resources labelled for the cluster."""
    return f"labels.{CLUSTER_LABEL} = {cluster_label_value(cluster_name)}"


def owned_in(snapshot: Snapshot, kind: str, cluster_name: str) -> list[dict[str, Any]]:
    return [r for r in snapshot.get(kind) if owned(r, cluster_name)]


def store_ids(snapshot: Snapshot, cluster_name: str) -> dict[str, str | None]:
    """The state-store ID each listed resource the cluster owns carries, by ``<kind> <name>``."""
    return {f"{kind} {r['name']}": store_id(r)
            for kind in DISCOVERY.kinds() for r in owned_in(snapshot, kind, cluster_name)}
