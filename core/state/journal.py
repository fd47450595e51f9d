"""The commit journal: one object describing a whole multi-object change.

:meth:`StateStore.commit` writes the journal first and applies it second, so a crash in between leaves a
complete description of the change behind; whoever touches the store next applies it (rolls it forward).
A journal starts ``pending`` (it then only reserves the right to commit, while the committer re-checks that
nothing moved) and becomes ``committed`` by a conditional rewrite; only committed journals are rolled forward.

Every entry remembers the generation its object had when the commit was checked, and is applied on that
condition. Applying is therefore idempotent: when two processes roll the same journal forward, the second
finds each object already changed and leaves it alone.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field

from kops.errors import KopsError

PENDING = "pending"
COMMITTED = "committed"


@dataclass(frozen=True)
class Entry:
    """One object of a commit: new bytes (or None to delete) and the generation it replaces."""

    path: str
    data: bytes | None
    #: Generation the object had when checked (None: it did not exist). Ignored when not ``conditional``.
    before: str | None
    conditional: bool = True
    private: bool = False


@dataclass
class Journal:
    id: str
    entries: list[Entry]
    state: str = PENDING
    created: float = field(default_factory=time.time)

    @property
    def private(self) -> bool:
        """A journal carrying secret material must be stored as carefully as the secrets themselves."""
        return any(e.private for e in self.entries)

    def age(self) -> float:
        return time.time() - self.created

    def encode(self) -> bytes:
        return json.dumps({
            "id": self.id,
            "state": self.state,
            "created": self.created,
            "entries": [{
                "path": e.path,
                "data": None if e.data is None else base64.b64encode(e.data).decode("ascii"),
                "before": e.before,
                "conditional": e.conditional,
                "private": e.private,
            } for e in self.entries],
        }).encode()

    @classmethod
    def decode(cls, raw: bytes, where: str) -> Journal:
        try:
            doc = json.loads(raw)
            entries = [Entry(path=e["path"], data=None if e["data"] is None else base64.b64decode(e["data"]),
                             before=e["before"], conditional=e["conditional"], private=e["private"])
                       for e in doc["entries"]]
            return cls(id=doc["id"], entries=entries, state=doc["state"], created=float(doc["created"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise KopsError(f"{where}: unreadable commit journal ({exc}); inspect it, then delete it to continue") from exc
