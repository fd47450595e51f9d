"""Discover, then compare: one listing per resource type per run, shared by every task of that type.

A cloud plugin registers, per resource type, a lister that returns every resource of that type tagged for
the cluster (in whatever form its SDK gives). Tasks then find themselves in the listing instead of asking
the cloud one resource at a time, so the number of API calls grows with the number of resource types, not
with the size of the cluster.

A snapshot belongs to one run: create a new one for every plan or apply, so nothing stale carries over. A cloud
keeps its listers and deletion factories in a :class:`Discovery`, which makes the snapshots.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
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


#: Lists every resource of one kind tagged for the cluster: ``lister(api, cluster_name)``.
KindLister = Callable[[Any, str], Iterable[Any]]
#: Turns a run's listings into deletion tasks for what the cluster owns: ``factory(snapshot, cluster_name)``.
DeletionFactory = Callable[[Snapshot, str], list[Any]]


class Discovery:
    """A cloud's registry of listers and deletion factories, filled as its task modules are imported.

    A cloud plugin makes one for its package of task modules and lets each module register what it knows::

        DISCOVERY = Discovery("kops_mycloud.tasks")

        @DISCOVERY.register("network")
        def list_networks(api, cluster_name): ...

        @DISCOVERY.register_deletions("network")
        def delete_networks(snapshot, cluster_name): ...

    :meth:`snapshot` gives a run its listings (each kind listed at most once, on first use);
    :meth:`deletion_tasks` gives ``kops delete cluster`` a deletion task per owned resource, linked to each other so
    the engine deletes dependents first.
    """

    def __init__(self, task_package: str):
        #: The package whose modules register listers and deletion factories when imported.
        self.task_package = task_package
        self._listers: dict[str, KindLister] = {}
        self._deleters: dict[str, DeletionFactory] = {}

    def register(self, kind: str, lister: KindLister | None = None) -> Any:
        """Register ``lister`` for ``kind``; used bare (``register("vpc", f)``) or as a decorator."""
        def add(fn: KindLister) -> KindLister:
            existing = self._listers.get(kind)
            if existing is not None and existing is not fn:
                raise ValueError(f"a lister for {kind!r} is already registered ({existing.__module__})")
            self._listers[kind] = fn
            return fn

        return add(lister) if lister is not None else add

    def register_deletions(self, name: str, factory: DeletionFactory | None = None) -> Any:
        """Register a deletion factory under a unique ``name`` (bare or as a decorator).

        The factory reads the listings it needs from the snapshot and returns a task per resource the cluster owns,
        each with its cloud ID set, so ``find`` locates it by ID. A reference to another resource may be a
        placeholder task of the right type carrying only that resource's ID: :meth:`deletion_tasks` swaps it for
        the real deletion task, which orders the deletes.
        """
        def add(fn: DeletionFactory) -> DeletionFactory:
            existing = self._deleters.get(name)
            if existing is not None and existing is not fn:
                raise ValueError(f"deletions named {name!r} are already registered ({existing.__module__})")
            self._deleters[name] = fn
            return fn

        return add(factory) if factory is not None else add

    def kinds(self) -> list[str]:
        """Every registered kind, after importing all task modules (which register themselves)."""
        self.load_task_modules()
        return sorted(self._listers)

    def load_task_modules(self) -> None:
        """Import every module of :attr:`task_package`, so each one's lister is registered."""
        import importlib
        import pkgutil

        package = importlib.import_module(self.task_package)
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{self.task_package}.{info.name}")

    def snapshot(self, api: Any, cluster_name: str) -> Snapshot:
        """A fresh snapshot for one run: every registered kind, listed lazily at most once."""
        self.load_task_modules()
        return Snapshot({kind: partial(lister, api, cluster_name) for kind, lister in sorted(self._listers.items())})

    def deletion_tasks(self, snapshot: Snapshot, cluster_name: str) -> list[Any]:
        """Deletion tasks for everything the cluster owns, across every kind, linked to each other by ID."""
        self.load_task_modules()
        tasks: list[Any] = []
        for _, factory in sorted(self._deleters.items()):
            tasks.extend(factory(snapshot, cluster_name))
        return link_placeholders(tasks)


def link_placeholders(tasks: list[Any]) -> list[Any]:
    """Replace every placeholder reference (a task of some type carrying only a cloud ID) by the task of that type
    and ID among ``tasks``, wherever task dependencies are found: fields, lists, tuples, sets and dict values."""
    import dataclasses

    from kops.engine.task import Task

    by_id = {(t.type_name, t.cloud_id): t for t in tasks if t.cloud_id is not None}

    def linked(value: Any) -> Any:
        if isinstance(value, Task):
            return by_id.get((value.type_name, value.cloud_id), value) if value.cloud_id is not None else value
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(linked(v) for v in value)
        if isinstance(value, dict):
            return {k: linked(v) for k, v in value.items()}
        return value

    for task in tasks:
        for f in dataclasses.fields(task):
            setattr(task, f.name, linked(getattr(task, f.name)))
    return tasks
