"""Who owns a cloud resource: the tags that say so, which no user-given label may write, and the state
store's ID, which ties a cluster's resources to the one store that made them.

Deletion finds a cluster's resources by its ownership tags alone, so a user label that could set one would let a
cluster claim (and a ``kops delete cluster`` of another name destroy) resources that are not its own. Each cloud
driver refuses these keys in ``spec.cloudLabels`` (:meth:`kops.cloud.CloudProvider.label_problems`), and models
write ownership tags after the user's labels, so even a spec stored before that check cannot override them.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping

from kops.errors import KopsError

#: The tag every resource a cluster owns carries, valued with the ID of the state store the cluster lives in.
STORE_TAG = "kops.k8s.io/state-store"
#: The legacy ownership tag (its value is the cluster's name).
LEGACY_CLUSTER_TAG = "KubernetesCluster"
#: ``kubernetes.io/cluster/<name>``: ``owned`` or ``shared``.
CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"

#: Where a cluster's state-store ID is kept, relative to the cluster's folder in the store.
STORE_ID_FILE = "store-id"
_ID_ALPHABET = string.ascii_lowercase + string.digits


def reserved_tag_reason(key: str, own_cluster: str | None = None) -> str | None:
    """Why a user may not set the tag ``key`` (it decides which cluster owns a resource), or None.

    With ``own_cluster``, the cluster's own ``kubernetes.io/cluster/<name>`` key is allowed: a setting that only
    names the tag (the node termination handler's ``managedASGTag``) may pick the one kops puts there anyway.
    """
    if own_cluster is not None and key == CLUSTER_TAG_PREFIX + own_cluster:
        return None
    if key == LEGACY_CLUSTER_TAG or key.startswith(CLUSTER_TAG_PREFIX):
        return f"{key!r} is the tag that marks which cluster owns a resource; kops sets it"
    if key == STORE_TAG:
        return f"{key!r} ties a cluster's resources to its state store; kops sets it"
    return None


def new_store_id() -> str:
    """A short random ID: lowercase letters and digits, which every cloud's tags and labels can hold."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


class ForeignStoreError(KopsError):
    """Resources of the cluster were made from another state store: refused unless claimed."""


def verdict(found: Mapping[str, str | None], cluster_name: str, store_id: str | None, claim: bool,
            deleting: bool = False) -> list[str]:
    """Decide, from the store ID each owned resource carries (``found``: resource label -> ID or None), whether a
    run from the store with ``store_id`` may touch them. Resources of another store are refused (naming its ID)
    unless ``claim``; resources without an ID (an older kops, upstream kOps) are adopted. Returns what the plan
    says about adoptions and claims."""
    foreign: dict[str, list[str]] = {}
    unmarked = []
    for label, other in sorted(found.items()):
        if other is None:
            unmarked.append(label)
        elif other != store_id:
            foreign.setdefault(other, []).append(label)
    notes = []
    if foreign and not claim:
        other, labels = max(foreign.items(), key=lambda item: len(item[1]))
        more = f" and {len(labels) - 1} more" if len(labels) > 1 else ""
        raise ForeignStoreError(
            f"cluster {cluster_name}: {labels[0]}{more} were made from another state store (ID {other}; this "
            f"store's is {store_id}); run kops from that store, or pass --claim to take them over")
    for other, labels in sorted(foreign.items()):
        notes.append(f"--claim: {len(labels)} resource(s) made from the state store with ID {other} "
                     f"{'are deleted' if deleting else 'are taken over by this store (ID ' + str(store_id) + ')'}")
    if unmarked:
        action = "deleting them too" if deleting else f"this update tags them with this store's ID {store_id}"
        notes.append(f"{len(unmarked)} resource(s) of the cluster carry no state-store ID (made by an older kops or "
                     f"by upstream kOps): {action}")
    return notes
