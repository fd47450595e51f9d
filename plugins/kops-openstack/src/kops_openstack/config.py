"""What a group's servers are made from, as one digest (``KopsConfig`` on each server): the completed cluster spec
and the group's spec. A server whose digest is not its group's current one needs an update. Like upstream's
``cluster_generation`` and ``ig_generation``, any change to either spec counts, so a rolling update after an edit
replaces every server of the groups it touches; unlike them, the digest needs no counter kept anywhere, and an
edit undone makes the servers up to date again."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def config_digest(cluster: Any, group: Any) -> str:
    def dump(obj: Any) -> Any:
        return obj.model_dump(mode="json", by_alias=True, exclude_none=True)

    body = json.dumps([dump(cluster.spec), dump(group.spec)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:16]
