"""``file:///abs/path``: a state store in a local directory, laid out exactly like the bucket would be.

Every write goes to a temporary file in the target directory, is fsynced, then renamed over the object, so a
reader sees either the old or the new bytes, never a torn file. A commit of many files writes them all, flushes
the file system once, renames them all and flushes once more, instead of two fsyncs per file. Check-and-write runs
under an exclusive ``flock`` on ``.kops/lock`` in the store, which shuts out other processes as well as other
threads (each lock acquisition opens its own file description), so conditional writes and commits are race-free.

A generation is the file's inode, modification time and a hash of its content. Each write renames a fresh
inode over one that still exists, so consecutive versions always differ in inode even within one clock tick.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from kops.errors import KopsError
from kops.state.base import ConflictError, StateStore, StoredObject

_TEMP_PREFIX = ".tmp-"


class _StoreLock:
    """A re-entrant, process- and thread-exclusive lock on one store directory."""

    def __init__(self, path: Path):
        self._path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> _StoreLock:
        self._thread_lock.acquire()
        try:
            if self._depth == 0:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._depth += 1
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._thread_lock.release()


_LOCKS: dict[Path, _StoreLock] = {}
_LOCKS_GUARD = threading.Lock()


class FileStateStore(StateStore):
    serializes_writers: ClassVar[bool] = True

    @classmethod
    def boot_reader(cls) -> str:
        """A machine reads a ``file://`` store where it is mounted at the same path."""
        return ("def read(url):\n"
                "    import urllib.parse\n"
                "    with open(urllib.parse.unquote(urllib.parse.urlsplit(url).path), 'rb') as f:\n"
                "        return f.read()\n")

    def __init__(self, url: str):
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost") or not path.startswith("/"):
            raise KopsError(f"invalid state store URL {url!r}: expected file:///absolute/path")
        self.root = Path(os.path.normpath(path))
        if self.root.exists() and not self.root.is_dir():
            raise KopsError(f"state store {url}: {self.root} exists and is not a directory")
        super().__init__(f"file://{self.root}")
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(self.root, _StoreLock(self.root / ".kops" / "lock"))

    def _exclusive(self) -> AbstractContextManager[Any]:
        return self._lock

    def _file(self, key: str) -> Path:
        return self.root / key

    def _get(self, key: str) -> StoredObject | None:
        try:
            with open(self._file(key), "rb") as f:
                st = os.fstat(f.fileno())
                data = f.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        except OSError as exc:
            raise KopsError(f"state store {self.url}: cannot read {key}: {exc.strerror}") from exc
        return StoredObject(data=data, generation=_generation(st, data), private=not st.st_mode & 0o077)

    def _put(self, key: str, data: bytes, expect: Any, private: bool) -> str:
        target = self._file(key)
        with self._lock:
            self._check(key, self._get(key), expect)
            try:
                tmp, generation = _stage(target, data, private, durable=True)
                try:
                    os.replace(tmp, target)
                except BaseException:
                    os.unlink(tmp)
                    raise
                _fsync_dir(target.parent)
            except OSError as exc:
                raise self._refused("write", key, exc) from exc
            return generation

    def _put_batch(self, puts: list[tuple[str, bytes, Any, bool]]) -> dict[str, str | None]:
        """Many writes made durable together: every new file written, one flush of the file system, every file
        renamed into place, one more flush for the renames (where single writes fsync each file and directory)."""
        if len(puts) < 2:
            return super()._put_batch(puts)
        gens: dict[str, str | None] = {}
        staged: list[tuple[str, Path]] = []  # (temporary file, target) not renamed yet
        key = ""
        with self._lock:
            try:
                for key, data, expect, private in puts:
                    try:
                        self._check(key, self._get(key), expect)
                    except ConflictError:
                        gens[key] = None
                        continue
                    target = self._file(key)
                    tmp, gens[key] = _stage(target, data, private, durable=False)
                    staged.append((tmp, target))
                os.sync()
                while staged:
                    key = str(staged[0][1].relative_to(self.root))
                    os.replace(*staged[0])
                    staged.pop(0)
                os.sync()
            except OSError as exc:
                raise self._refused("write", key, exc) from exc
            finally:
                for tmp, _target in staged:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
        return gens

    def _remove(self, key: str, expect: Any) -> None:
        target = self._file(key)
        with self._lock:
            self._check(key, self._get(key), expect)
            try:
                target.unlink(missing_ok=True)
            except IsADirectoryError:
                return
            except OSError as exc:
                raise self._refused("delete", key, exc) from exc
            _fsync_dir(target.parent)

    def _refused(self, action: str, key: str, exc: OSError) -> KopsError:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return KopsError(f"state store {self.url} is read-only here: cannot {action} {key} ({exc.strerror})")
        return KopsError(f"state store {self.url}: cannot {action} {key}: {exc.strerror}")

    def _list(self, prefix: str) -> dict[str, int]:
        folder = self.root / prefix.rpartition("/")[0]
        found: dict[str, int] = {}
        for dirpath, _dirs, files in os.walk(folder):
            rel_dir = os.path.relpath(dirpath, self.root)
            for name in files:
                if name.startswith(_TEMP_PREFIX) or rel_dir == ".kops" and name == "lock":
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix):
                    try:
                        found[key] = os.stat(os.path.join(dirpath, name)).st_size
                    except FileNotFoundError:
                        continue  # deleted while we looked
        return found


def _stage(target: Path, data: bytes, private: bool, durable: bool) -> tuple[str, str]:
    """Write ``data`` to a new temporary file beside ``target`` (fsynced if ``durable``): its path, and the generation
    it will have once renamed over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=target.parent)
    try:
        os.fchmod(fd, 0o600 if private else 0o644)
        _write_all(fd, data)
        if durable:
            os.fsync(fd)
        return tmp, _generation(os.fstat(fd), data)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        os.close(fd)


def _generation(st: os.stat_result, data: bytes) -> str:
    return f"{st.st_ino:x}.{st.st_mtime_ns:x}.{hashlib.sha256(data).hexdigest()[:16]}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
