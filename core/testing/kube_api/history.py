"""What happened in the fake cluster, in order, for assertions about how a client went about its work: that a node
was cordoned before any of its pods was evicted, that no DaemonSet pod was evicted, that no disruption budget was
ever left with fewer healthy pods than it needs.

What is recorded (``Entry.what``):

- ``cordoned``, ``uncordoned``, ``tainted``, ``untainted`` (``detail``: the taint as ``key=value:Effect``):
  changes to a node, however they were written;
- ``evicted``: an eviction the API accepted; ``eviction-refused``: one it answered with 429 (``detail``: the
  budget's reason); ``deleted``: a DELETE through the API, of any kind;
- ``budget-violated``: a healthy pod stopped counting (evicted, deleted, or lost with its node) and left a
  budget below its desired healthy count (``detail`` says which budget, the counts and the cause);
- ``created``, ``scheduled``: pods a controller made and where the scheduler put them; ``pod-lost``: a pod removed
  because its node went away;
- ``node-registered``, ``node-removed``: the kubelet simulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    seq: int
    what: str
    kind: str
    namespace: str
    name: str
    #: The node concerned: a pod's node, or the node itself.
    node: str = ""
    #: A pod's controller as ``Kind/name`` (``ReplicaSet/web-5d8f``, ``DaemonSet/cni``, ``Node/n1`` for mirror pods).
    owner: str = ""
    detail: str = ""
    #: The fake's clock when it happened.
    at: float = 0.0


class History(list[Entry]):
    """The entries in order, with a filter for assertions."""

    def of(self, *whats: str, **fields: Any) -> list[Entry]:
        """The entries that are any of ``whats`` (all when none is given) and whose ``fields`` have those values."""
        return [e for e in self if (not whats or e.what in whats)
                and all(getattr(e, name) == value for name, value in fields.items())]
