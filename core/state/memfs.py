"""``memfs://NAME``: a state store in memory, shared by every store opened on the same URL in one process.

For tests and dry runs: nothing touches disk or network, yet concurrency behaves like a real store, since
each NAME's objects sit behind one re-entrant lock that serialises every writer.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from kops.errors import KopsError
from kops.state.base import StateStore, StoredObject


class _Space:
    """The objects of one memfs:// name."""

    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}
        self.lock = threading.RLock()
        self.counter = itertools.count(1)


_SPACES: dict[str, _Space] = {}
_SPACES_LOCK = threading.Lock()


class MemFSStateStore(StateStore):
    serializes_writers: ClassVar[bool] = True

    def __init__(self, url: str):
        scheme, sep, name = url.partition("://")
        name = name.strip("/")
        if scheme.lower() != "memfs" or not sep or not name:
            raise KopsError(f"invalid state store URL {url!r}: expected memfs://NAME")
        super().__init__(f"memfs://{name}")
        with _SPACES_LOCK:
            self._space = _SPACES.setdefault(name, _Space())

    def _exclusive(self) -> AbstractContextManager[Any]:
        return self._space.lock

    def _get(self, key: str) -> StoredObject | None:
        with self._space.lock:
            return self._space.objects.get(key)

    def _put(self, key: str, data: bytes, expect: Any, private: bool) -> str:
        with self._space.lock:
            self._check(key, self._space.objects.get(key), expect)
            generation = str(next(self._space.counter))
            self._space.objects[key] = StoredObject(data=data, generation=generation)
            return generation

    def _remove(self, key: str, expect: Any) -> None:
        with self._space.lock:
            current = self._space.objects.get(key)
            self._check(key, current, expect)
            self._space.objects.pop(key, None)

    def _list(self, prefix: str) -> dict[str, int]:
        with self._space.lock:
            return {key: len(obj.data) for key, obj in self._space.objects.items() if key.startswith(prefix)}
