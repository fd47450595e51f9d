"""The state store: where kops keeps each cluster's configuration, as bytes at relative paths.

:class:`StateStore` holds everything the backends share: conditional-write checks, the multi-object commit
with its journal, kept versions and leases. A backend supplies only a handful of primitives - get, put,
remove and list one object, each of put and remove atomic with respect to an expected generation - and, when
it can, a store-wide critical section (:meth:`StateStore._exclusive`).

Backends that can serialise every writer (``file://`` with ``flock``, ``memfs://`` with a mutex) run commits
inside that critical section, which makes them fully serialisable. Object stores have only per-object
conditional requests; there, commits are serialised against each other by the journal object (created with
"must not exist"), made crash-safe by rolling the journal forward, and a plain write that races a commit
touching the same object in the same instant may win over the commit's change to that one object rather
than being silently overwritten.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from kops.errors import KopsError
from kops.state import layout
from kops.state.journal import COMMITTED, Entry, Journal


class _Any:
    """Type of :data:`ANY`."""

    _instance: ClassVar[_Any | None] = None

    def __new__(cls) -> _Any:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ANY"


#: ``expect=ANY``: write whatever the object's current generation is.
ANY: Any = _Any()

#: A commit that finds another commit's pending journal waits this long before treating it as abandoned.
PENDING_TIMEOUT = 30.0
#: How often a commit retries when other commits or writers keep getting in first.
_RETRIES = 20


@dataclass(frozen=True)
class StoredObject:
    """An object's bytes and the generation that identifies exactly this version of it."""

    data: bytes
    #: Opaque token; changes whenever the object is written. Pass it back as ``expect=`` to update safely.
    generation: str
    #: Whether it is stored as secret material (owner-only, encrypted); None where the backend cannot tell or
    #: stores every object alike.
    private: bool | None = None

    def holds(self, data: bytes, private: bool) -> bool:
        """Whether writing ``data`` (secret material if ``private``) over this object would change nothing: the same
        bytes, stored at least as privately."""
        return self.data == data and not (private and self.private is False)


@dataclass(frozen=True)
class Version:
    """An earlier version of an object, as listed by :meth:`StateStore.history`."""

    id: str
    #: When this version was replaced by a newer one (UTC).
    time: datetime
    size: int


class ConflictError(KopsError):
    """An object was not at the expected generation: someone else wrote it since it was read."""

    def __init__(self, url: str, path: str, expected: Any = ANY, found: str | None = None):
        self.url = url
        self.path = path
        self.expected = expected
        self.found = found
        if expected is None:
            detail = "it now exists"
        elif found is None:
            detail = "it no longer exists"
        else:
            detail = "it was rewritten"
        super().__init__(f"{path} in state store {url} was changed by another writer ({detail}); "
                         "read it again and retry")


class LeaseHeld(KopsError):
    """Someone else holds an unexpired lease."""

    def __init__(self, url: str, name: str, owner: str, expires: datetime):
        self.name = name
        self.owner = owner
        self.expires = expires
        left = max(0, round((expires - datetime.now(UTC)).total_seconds()))
        super().__init__(f"lease {name!r} in state store {url} is held by {owner} until "
                         f"{expires.isoformat(timespec='seconds')} ({left}s from now); wait for it to finish or expire")


class LeaseLost(KopsError):
    """A lease expired and was taken over by someone else while its holder still used it."""


@dataclass
class Lease:
    """A held lease. Renew it before ``expires`` when the work takes longer than the TTL."""

    name: str
    owner: str
    expires: datetime
    generation: str
    store: StateStore = field(repr=False)

    def renew(self, ttl_seconds: float) -> None:
        """Push expiry to ``ttl_seconds`` from now; raises :class:`LeaseLost` if someone took the lease over."""
        expires = _expiry(ttl_seconds)
        try:
            self.generation = self.store._put(self._key, _lease_body(self.owner, expires), self.generation, False)
        except ConflictError:
            raise LeaseLost(f"lease {self.name!r} in state store {self.store.url} expired and was taken over "
                            "by another owner; stop and check what it changed") from None
        self.expires = expires

    def release(self) -> None:
        """Give the lease up; a lease already taken over by someone else is left to them."""
        with contextlib.suppress(ConflictError):
            self.store._remove(self._key, self.generation)

    @property
    def _key(self) -> str:
        return layout.LEASES + self.name


class StateStore(ABC):
    """A state store. Use :func:`kops.state.open_store` to get one for a URL."""

    #: True when :meth:`_exclusive` shuts out every other writer, in every process.
    serializes_writers: ClassVar[bool] = False

    def __init__(self, url: str):
        self.url = url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    @classmethod
    def boot_reader(cls) -> str:
        """Python source (the standard library only, nothing from kops) defining ``read(url) -> bytes`` for objects
        of this kind of store, fetched with the machine's own credentials: the user data embeds it to install the
        node bundle (:mod:`kops.nodeup.install`) before kops is on the machine. Empty: machines cannot read it."""
        return ""

    # --- primitives each backend implements -------------------------------------------------------

    @abstractmethod
    def _get(self, key: str) -> StoredObject | None:
        """The object at ``key``, or None."""

    @abstractmethod
    def _put(self, key: str, data: bytes, expect: Any, private: bool) -> str:
        """Write ``key`` if its generation is ``expect`` (ANY: any, None: absent), atomically; return the new one.

        Raises :class:`ConflictError` (use :meth:`_conflict`) when the condition does not hold.
        """

    @abstractmethod
    def _remove(self, key: str, expect: Any) -> None:
        """Delete ``key`` if its generation is ``expect`` (a string) or unconditionally (ANY), atomically.

        Deleting a missing object unconditionally is not an error; conditionally it is a conflict.
        """

    def _put_batch(self, puts: builtins.list[tuple[str, bytes, Any, bool]]) -> dict[str, str | None]:
        """Several :meth:`_put` calls (key, data, expect, private): each key's new generation, None where its
        expectation failed. Backends where one durable flush can serve many writes (a local disk) override it."""
        gens: dict[str, str | None] = {}
        for key, data, expect, private in puts:
            try:
                gens[key] = self._put(key, data, expect, private)
            except ConflictError:
                gens[key] = None
        return gens

    @abstractmethod
    def _list(self, prefix: str) -> dict[str, int]:
        """Every object whose key starts with ``prefix``, bookkeeping included, with its size in bytes."""

    def _exclusive(self) -> AbstractContextManager[Any]:
        """A reentrant store-wide critical section, where the backend has one; by default none."""
        return contextlib.nullcontext()

    def _conflict(self, key: str, expect: Any, found: str | None) -> ConflictError:
        return ConflictError(self.url, key, expect, found)

    def _check(self, key: str, current: StoredObject | None, expect: Any) -> None:
        """Raise ConflictError unless ``current`` satisfies ``expect``."""
        if expect is ANY:
            return
        found = current.generation if current is not None else None
        if found != expect:
            raise self._conflict(key, expect, found)

    # --- objects ----------------------------------------------------------------------------------

    def read(self, path: str) -> StoredObject | None:
        """The object at ``path`` (e.g. ``ha.example.com/config``), or None when there is none."""
        layout.check_path(path)
        self._settle()
        return self._get(path)

    def list(self, prefix: str = "") -> list[str]:
        """Relative paths of all objects under ``prefix`` (a plain string prefix, like S3's), sorted."""
        if prefix:
            layout.check_path(prefix.rstrip("/") or prefix, what="prefix")
        self._settle()
        return sorted(key for key in self._list(prefix) if not layout.is_internal(key))

    def content_digests(self, prefix: str) -> dict[str, str]:
        """The MD5 (hex) of every object under ``prefix``, by path: what changed, without reading every object
        where the backend's listing tells (S3's ETags). By default each object is read."""
        found = {}
        for path in self.list(prefix):
            obj = self._get(path)
            if obj is not None:
                found[path] = hashlib.md5(obj.data, usedforsecurity=False).hexdigest()
        return found

    def write(self, path: str, data: bytes, *, expect: Any = ANY, private: bool = False) -> str:
        """Write ``path`` and return its new generation (its current one when it holds ``data`` already: nothing is
        written then).

        ``expect=ANY`` writes unconditionally, ``expect=None`` only if the object does not exist yet and a
        generation only if the object is still at it; otherwise :class:`ConflictError` and nothing changes.
        ``private=True`` marks secret material (owner-only file, encrypted object).
        """
        layout.check_path(path)
        data = _as_bytes(path, data)
        _check_expect(path, expect)
        self._settle()
        current = self._get(path)
        if current is not None and current.holds(data, private):
            self._check(path, current, expect)
            return current.generation  # the same bytes: no write, no new generation, no kept version
        if layout.history_dir(path) is None:
            return self._put(path, data, expect, private)
        return self._replace_keeping_history(path, data, expect, private)

    def delete(self, path: str, *, expect: Any = ANY) -> None:
        """Delete ``path``; a missing object is fine unless ``expect`` says it should be there."""
        layout.check_path(path)
        _check_expect(path, expect)
        self._settle()
        if expect is None or layout.history_dir(path) is not None:
            self._replace_keeping_history(path, None, expect, False)
        else:
            self._remove(path, expect)

    def delete_tree(self, prefix: str) -> int:
        """Delete everything under the folder ``prefix`` (a whole cluster), kept versions included.

        Returns how many objects were deleted.
        """
        layout.check_path(prefix.rstrip("/"), what="prefix")
        self._settle()
        keys = self._list(prefix.rstrip("/") + "/")
        for key in keys:
            self._remove(key, ANY)
        return len(keys)

    def _replace_keeping_history(self, path: str, data: bytes | None, expect: Any, private: bool) -> str:
        """Write or delete ``path`` conditionally on what was read, keeping the replaced version."""
        with self._exclusive():
            for _ in range(_RETRIES):
                old = self._get(path)
                self._check(path, old, expect)
                if old is None and data is None:
                    return ""
                try:
                    if data is not None:
                        gen = self._put(path, data, old.generation if old else None, private)
                    else:
                        assert old is not None  # nothing to delete returned above
                        self._remove(path, old.generation)
                        gen = ""
                except ConflictError:
                    if expect is ANY:
                        continue  # the caller did not care which version it replaced: try again
                    raise
                if old is not None and layout.history_dir(path) is not None:
                    self._keep_version(path, old, private)
                return gen
        raise KopsError(f"{path} in state store {self.url}: gave up after {_RETRIES} attempts, other writers kept "
                        "changing it; retry")

    # --- kept versions ----------------------------------------------------------------------------

    def history(self, path: str) -> builtins.list[Version]:
        """Earlier versions of ``path``, newest first (kept for cluster configs and instance groups)."""
        folder = self._history_dir(path)
        self._settle()
        versions = []
        for key, size in self._list(folder).items():
            version_id = key[len(folder):]
            if "/" not in version_id:
                versions.append(Version(id=version_id, time=_version_time(version_id), size=size))
        return sorted(versions, key=lambda v: v.id, reverse=True)

    def read_version(self, path: str, version_id: str) -> bytes:
        """The bytes of one earlier version of ``path``, by the id :meth:`history` listed."""
        folder = self._history_dir(path)
        if not version_id or "/" in version_id or version_id.startswith("."):
            raise KopsError(f"invalid version id {version_id!r} for {path}")
        self._settle()
        obj = self._get(folder + version_id)
        if obj is None:
            raise KopsError(f"{path} in state store {self.url} has no version {version_id!r}; "
                            "list the kept versions to see which exist")
        return obj.data

    def _history_dir(self, path: str) -> str:
        layout.check_path(path)
        folder = layout.history_dir(path)
        if folder is None:
            raise KopsError(f"{path}: earlier versions are kept only for {{cluster}}/config and "
                            "{cluster}/instancegroup/{name}")
        return folder

    def _version_key(self, path: str, old: StoredObject) -> str:
        folder = layout.history_dir(path)
        assert folder is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        return f"{folder}{stamp}-{hashlib.sha256(old.generation.encode()).hexdigest()[:8]}"

    def _keep_version(self, path: str, old: StoredObject, private: bool) -> None:
        self._put(self._version_key(path, old), old.data, ANY, private)
        self._prune(path)

    def _prune(self, path: str) -> None:
        folder = layout.history_dir(path)
        assert folder is not None
        for key in sorted(self._list(folder))[:-layout.HISTORY_LIMIT]:
            self._remove(key, ANY)

    # --- multi-object commits -----------------------------------------------------------------------

    def commit(self, writes: dict[str, bytes | None], expect: dict[str, str | None] | None = None,
               private: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
        """Write (bytes) or delete (None) several objects so that all of the change lands or none of it does.

        Every generation in ``expect`` (which may name objects not written, to guard on them) is checked
        first; one mismatch raises :class:`ConflictError` and nothing is written. Paths in ``private`` are
        secret material. Objects that already hold what is asked are not written again. Returns the generation of
        each object written.
        """
        expect = dict(expect or {})
        for path in (*writes, *expect):
            layout.check_path(path)
        for path, gen in expect.items():
            _check_expect(path, gen)
        unknown = set(private) - set(writes)
        if unknown:
            raise KopsError(f"commit: private paths {sorted(unknown)} are not among the paths written")
        writes = {path: None if data is None else _as_bytes(path, data) for path, data in writes.items()}
        if not writes:
            return {}
        with self._exclusive():
            for _ in range(_RETRIES):
                self._settle(wait=True)
                current = {path: self._get(path) for path in sorted({*writes, *expect})}
                for path, gen in expect.items():
                    self._check(path, current[path], gen)
                changed = {path: data for path, data in writes.items() if not _unchanged(current[path], data,
                                                                                         path in private)}
                if not changed:
                    return {path: current[path].generation for path, data in writes.items()  # type: ignore[union-attr]
                            if data is not None}
                journal = Journal(id=uuid.uuid4().hex, entries=self._entries(changed, current, private))
                claimed = self._claim(journal, current)
                if claimed is not None:
                    try:
                        return self._apply(journal, claimed, writes)
                    except Exception:
                        self._roll_back(journal, claimed, current)
                        raise
        raise KopsError(f"commit to state store {self.url}: gave up after {_RETRIES} attempts, other writers kept "
                        "getting in first; retry")

    def _entries(self, writes: dict[str, bytes | None], current: dict[str, StoredObject | None],
                 private: set[str] | frozenset[str]) -> builtins.list[Entry]:
        entries = []
        for path, data in writes.items():
            old = current[path]
            entries.append(Entry(path=path, data=data, before=old.generation if old else None,
                                 private=path in private))
            if old is not None and layout.history_dir(path) is not None:
                entries.append(Entry(path=self._version_key(path, old), data=old.data, before=None,
                                     conditional=False, private=path in private))
        return entries

    def _claim(self, journal: Journal, current: dict[str, StoredObject | None]) -> str | None:
        """Store ``journal`` as committed, provided nothing moved since ``current`` was read.

        Returns the journal's generation, or None when another writer got in first and the commit must be
        checked again from scratch.
        """
        try:
            gen = self._put(layout.JOURNAL, journal.encode(), None, journal.private)
        except ConflictError:
            return None  # another commit is in flight
        moved = any(self._generation(path) != (obj.generation if obj else None) for path, obj in current.items())
        if moved:
            with contextlib.suppress(ConflictError):
                self._remove(layout.JOURNAL, gen)
            return None
        journal.state = COMMITTED
        try:
            return self._put(layout.JOURNAL, journal.encode(), gen, journal.private)
        except ConflictError:
            return None  # our pending journal was taken for abandoned and cleared

    def _generation(self, key: str) -> str | None:
        obj = self._get(key)
        return obj.generation if obj else None

    def _apply(self, journal: Journal, journal_gen: str, wanted: dict[str, bytes | None] | None = None
               ) -> dict[str, str]:
        """Roll a committed journal forward, then remove it. Safe to run more than once, concurrently."""
        # A put or delete that conflicts was already applied by another process rolling this journal forward, or
        # the object was rewritten since: either way it is left as it is.
        gens = {path: gen for path, gen in self._put_batch(
            [(e.path, e.data, e.before if e.conditional else ANY, e.private) for e in journal.entries
             if e.data is not None]).items() if gen is not None}
        for e in journal.entries:
            if e.data is None and e.before is not None:
                with contextlib.suppress(ConflictError):
                    self._remove(e.path, e.before if e.conditional else ANY)
        for path in {e.path for e in journal.entries if e.conditional and layout.history_dir(e.path)}:
            self._prune(path)
        with contextlib.suppress(ConflictError):
            self._remove(layout.JOURNAL, journal_gen)
        result = {}
        for path, data in (wanted or {}).items():
            if data is not None:
                result[path] = gens.get(path) or self._generation(path) or ""
        return result

    def _roll_back(self, journal: Journal, journal_gen: str, before: dict[str, StoredObject | None]) -> None:
        """Undo a commit whose roll-forward failed here (permission denied, an immutable file): the caller reports
        the failure, so no later run may land the change. The journal goes first, then what was written is put
        back as ``before`` had it; what cannot be put back is left as the failure left it."""
        with contextlib.suppress(Exception):
            self._remove(layout.JOURNAL, journal_gen)
        for e in journal.entries:
            with contextlib.suppress(Exception):
                old = before.get(e.path)
                if old is not None:
                    if self._generation(e.path) != old.generation:
                        self._put(e.path, old.data, ANY, e.private)
                elif self._get(e.path) is not None:
                    self._remove(e.path, ANY)

    def _settle(self, wait: bool = False) -> None:
        """Roll forward a committed journal left behind; clear an abandoned pending one.

        With ``wait``, also wait for another process's pending commit to decide, or to be abandoned.
        """
        if self._get(layout.JOURNAL) is None:
            return
        where = f"{self.url}/{layout.JOURNAL}"
        delay = 0.01
        with self._exclusive():
            while True:
                obj = self._get(layout.JOURNAL)
                if obj is None:
                    return
                journal = Journal.decode(obj.data, where)
                if journal.state == COMMITTED:
                    self._apply(journal, obj.generation)
                    return
                if self.serializes_writers or journal.age() > PENDING_TIMEOUT:
                    with contextlib.suppress(ConflictError):
                        self._remove(layout.JOURNAL, obj.generation)
                    return
                if not wait:
                    return
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    # --- leases -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lease(self, name: str, owner: str, ttl_seconds: float,
              stale: Callable[[str], bool] | None = None) -> Iterator[Lease]:
        """Hold the lease ``name`` (e.g. ``ha.example.com/update``) for the ``with`` block.

        Raises :class:`LeaseHeld` when another holder's lease has not expired; an expired one is taken over,
        and so is one whose holder ``stale(owner)`` says is gone (a crashed process on this machine).
        """
        held = self._acquire(name, owner, ttl_seconds, stale)
        try:
            yield held
        finally:
            held.release()

    def _acquire(self, name: str, owner: str, ttl_seconds: float,
                 stale: Callable[[str], bool] | None = None) -> Lease:
        layout.check_path(name, what="lease name")
        if not owner:
            raise KopsError(f"lease {name!r}: the owner must be named")
        key = layout.LEASES + name
        for _ in range(_RETRIES):
            current = self._get(key)
            if current is not None:
                holder, expires = _read_lease(current.data, f"{self.url}/{key}")
                if expires > datetime.now(UTC) and not (stale is not None and stale(holder)):
                    raise LeaseHeld(self.url, name, holder, expires)
            expires = _expiry(ttl_seconds)
            try:
                gen = self._put(key, _lease_body(owner, expires), current.generation if current else None, False)
            except ConflictError:
                continue  # someone else acquired or released it meanwhile: look again
            return Lease(name=name, owner=owner, expires=expires, generation=gen, store=self)
        raise KopsError(f"lease {name!r} in state store {self.url}: gave up after {_RETRIES} attempts; retry")


def _as_bytes(path: str, data: Any) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise KopsError(f"{path}: the state store stores bytes, not {type(data).__name__}")
    return bytes(data)


def _check_expect(path: str, expect: Any) -> None:
    if expect is not ANY and expect is not None and not isinstance(expect, str):
        raise KopsError(f"{path}: expect must be ANY, None or a generation string, not {expect!r}")


def _version_time(version_id: str) -> datetime:
    try:
        return datetime.strptime(version_id.split("-", 1)[0], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def _expiry(ttl_seconds: float) -> datetime:
    if not ttl_seconds > 0:
        raise KopsError(f"lease TTL must be a positive number of seconds, not {ttl_seconds!r}")
    return datetime.fromtimestamp(time.time() + ttl_seconds, UTC)


def _lease_body(owner: str, expires: datetime) -> bytes:
    return json.dumps({"owner": owner, "expires": expires.timestamp()}).encode()


def _read_lease(raw: bytes, where: str) -> tuple[str, datetime]:
    try:
        doc = json.loads(raw)
        return str(doc["owner"]), datetime.fromtimestamp(float(doc["expires"]), UTC)
    except (ValueError, KeyError, TypeError) as exc:
        raise KopsError(f"{where}: unreadable lease ({exc}); delete it to continue") from exc


def _unchanged(current: StoredObject | None, data: bytes | None, private: bool) -> bool:
    """Whether writing ``data`` (deleting, for None) over ``current`` would change nothing."""
    if data is None:
        return current is None
    return current is not None and current.holds(data, private)
