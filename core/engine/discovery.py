"""Discover, then compare: one listing per resource type per run, shared by every task of that type.

A cloud plugin registers, per resource type, a lister that returns every resource of that type tagged for
the cluster (in whatever form its SDK gives). Tasks then find themselves in the listing instead of asking
the cloud one resource at a time, so the number of API calls grows with the number of resource types, not
with the size of the cluster.

A snapshot belongs to one run: create a new one for every plan or apply, so nothing stale carries over.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

Lister = Callable[[], Iterable[Any]]


class Snapshot:
    """Per-run cache of cloud listings, filled lazily and safely from many threads."""

    def __init__(self, listers: dict[str, Lister] | None = None):
        self._listers: dict[str, Lister] = {}
        self._items: dict[str, tuple[Any, ...]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._calls: Counter[str] = Counter()
        for kind, lister in (listers or {}).items():
            self.register(kind, lister)

    def register(self, kind: str, lister: Lister) -> None:
        """Declare how to list every resource of ``kind`` that belongs to the cluster."""
        with self._guard:
            if kind in self._listers:
                raise ValueError(f"a lister for {kind!r} is already registered")
            self._listers[kind] = lister
            self._locks[kind] = threading.Lock()

    def get(self, kind: str) -> tuple[Any, ...]:
        """Every resource of ``kind``; the first call lists them, later calls (from any thread) reuse that.

        A lister that raises caches nothing, so the next call (a retry) lists again.
        """
        items = self._items.get(kind)
        if items is not None:
            return items
        try:
            lock = self._locks[kind]
        except KeyError:
            known = ", ".join(sorted(self._listers)) or "none"
            raise LookupError(f"no lister is registered for {kind!r} (registered: {known})") from None
        with lock:  # one lock per type: listing subnets never waits for listing instances
            if kind not in self._items:
                with self._guard:
                    self._calls[kind] += 1
                self._items[kind] = tuple(self._listers[kind]())
            return self._items[kind]

    def first(self, kind: str, predicate: Callable[[Any], bool]) -> Any | None:
        """The first resource of ``kind`` that ``predicate`` accepts, or None."""
        return next((item for item in self.get(kind) if predicate(item)), None)

    @property
    def calls(self) -> dict[str, int]:
        """How many times each type was listed this run (for benchmarks: API calls per type)."""
        with self._guard:
            return dict(self._calls)
