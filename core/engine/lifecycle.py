"""How far the engine may go with one resource.

Upstream kOps names the same four lifecycles (``fi.Lifecycle``); the values are upstream's spellings so a
spec or a log line reads the same in both.
"""

from __future__ import annotations

from enum import Enum


class Lifecycle(Enum):
    #: The cluster owns the resource: create it, update it, replace it, delete it.
    SYNC = "Sync"
    #: Leave the resource alone entirely: no lookup, no change, not in the plan.
    IGNORE = "Ignore"
    #: A shared resource (a user's VPC): look it up, warn when it differs from the spec, never modify it.
    EXISTS_AND_WARN_IF_CHANGES = "ExistsAndWarnIfChanges"
    #: A shared resource that must be as the spec says: missing or different is an error; never modified.
    EXISTS_AND_VALIDATES = "ExistsAndValidates"

    @property
    def shared(self) -> bool:
        """True for resources someone else owns: the engine only ever reads them."""
        return self in (Lifecycle.EXISTS_AND_WARN_IF_CHANGES, Lifecycle.EXISTS_AND_VALIDATES)
