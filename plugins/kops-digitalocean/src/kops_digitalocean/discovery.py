"""The DigitalOcean listers and deletion factories (core's :class:`kops.engine.Discovery`): each task module
registers, for its kind (the API's collection: ``droplets``, ``volumes``...), a lister giving every resource that
may be the cluster's in one call, and a deletion factory giving a deletion task for each one the cluster owns."""

from __future__ import annotations

from typing import Any

from kops.engine import Discovery, Snapshot

from kops_digitalocean.tags import STORE, cluster_tag, owned, value

DISCOVERY = Discovery("kops_digitalocean.tasks")
#: The kinds whose resources carry tags, and so the state store's ID.
TAGGED_KINDS = ("droplets", "volumes")


def tagged(api: Any, kind: str, cluster_name: str) -> list[dict[str, Any]]:
    """Every resource of ``kind`` carrying the cluster's tag: one call (the API pages it)."""
    return list(api.get(kind, tag_name=cluster_tag(cluster_name))[kind])


def store_ids(snapshot: Snapshot, cluster_name: str) -> dict[str, str | None]:
    """The state-store ID each tagged resource the cluster owns carries, by ``<kind> <name> (<id>)``."""
    return {f"{kind} {r['name']} ({r['id']})": value(r["tags"], STORE)
            for kind in TAGGED_KINDS for r in snapshot.get(kind) if owned(r, cluster_name)}
