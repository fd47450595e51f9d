"""The vSphere cloud's listers and deletion factories (core's :class:`kops.engine.Discovery`): each task module
registers, for its kind, a lister (the cluster's folders or VMs, one property-collector call) and deletions."""

from __future__ import annotations

from kops.engine import Discovery, Snapshot
from kops.ownership import STORE_TAG

from kops_vsphere.api import Listed

DISCOVERY = Discovery("kops_vsphere.tasks")


def store_ids(snapshot: Snapshot) -> dict[str, str | None]:
    """The state-store ID each listed inventory object of the cluster carries, by ``<kind> <name>`` (disk files carry
    no attributes: the cluster's directory on the datastore is what makes them its own)."""
    return {f"{kind} {r.name}": r.attributes.get(STORE_TAG) for kind in DISCOVERY.kinds() for r in snapshot.get(kind)
            if isinstance(r, Listed)}
