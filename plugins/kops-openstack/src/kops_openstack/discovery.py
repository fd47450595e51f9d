"""The OpenStack listers and deletion factories (core's :class:`kops.engine.Discovery`): each task module
registers, for its kind, a lister giving every resource that may be the cluster's in one call (by its tag where
the service filters on tags, else the project's whole list), and a deletion factory giving a deletion task for each
one the cluster owns (:mod:`kops_openstack.labels`)."""

from __future__ import annotations

from typing import Any

from kops.engine import Discovery, Snapshot

from kops_openstack.labels import cluster_tag, owned_metadata, owned_tags, store_id_of

DISCOVERY = Discovery("kops_openstack.tasks")


def tagged(listing: Any, cluster_name: str) -> list[Any]:
    """A Neutron listing filtered (by the service) on the cluster's tag."""
    return list(listing(tags=cluster_tag(cluster_name)))


def owns(resource: Any, cluster_name: str) -> bool:
    meta = getattr(resource, "metadata", None)
    if isinstance(meta, dict) and meta:
        return owned_metadata(meta, cluster_name)
    return owned_tags(getattr(resource, "tags", None), cluster_name)


def store_ids(snapshot: Snapshot, cluster_name: str) -> dict[str, str | None]:
    """The state-store ID each listed resource the cluster owns carries, by ``<kind> <name>``."""
    return {f"{kind} {r.name}": store_id_of(r)
            for kind in DISCOVERY.kinds() for r in snapshot.get(kind) if owns(r, cluster_name)}
