"""``swift://container[/prefix]``: the state store in an OpenStack Swift container, in upstream kOps's layout.

Credentials are the ``OS_*`` environment (or ``OS_CLOUD`` and a clouds.yaml), read by ``openstack.connect()``
through :func:`kops_openstack.api.connection`; objects are reached through the catalog's object-store endpoint.

Why there is a write lock. Swift has no compare-and-swap on objects: a PUT or DELETE cannot be made conditional on
the object's current ETag, only a PUT on the object not existing (``If-None-Match: *``). Even that check is not
atomic: the object server looks for the object when the request arrives and the new object lands when its body has
been stored, so two creates that overlap both succeed and the one with the later timestamp wins. Upstream kOps
serialises writers within one process only. This store serialises every writer of the store, in every process,
with one lock object, ``.kops/lock``:

- it is taken with a create-only PUT carrying a random token, then read back (``X-Newest``) after
  :data:`SETTLE_SECONDS`: an overlapping create that would replace it has landed by then, and whoever does not
  find their own token has lost and waits. The one window left is a competing create that passed the object
  server's check before ours landed and still had not landed itself :data:`SETTLE_SECONDS` later;
- it is made with ``X-Delete-After``, so Swift itself makes a crashed holder's lock disappear after
  :data:`LOCK_SECONDS` (no one ever deletes another's lock, which could not be done safely without
  compare-and-swap); a holder checks before every change that it is well inside that time;
- under it, each conditional write or delete reads the object's generation (``X-Newest``) and then changes it,
  and commits (:meth:`StateStore.commit`) run whole, so the store is fully serialisable
  (:attr:`serializes_writers`).

Reads take no lock. The generation is a random token kops writes as the object's metadata on every write
(``X-Object-Meta-Kops-Generation``), or the ETag of an object written by something else.

Objects are given no ACL: they are as private as the container. Swift encrypts objects at rest only where the
operator enabled its encryption middleware; nothing per object asks for it, so secret material
(``private=True``) is stored like any other object.

openstacksdk is imported when the first request is made, so importing this module (which ``kops --help`` may do
through the entry point) stays cheap.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit

from kops.engine.retry import Retrier, RetryPolicy, describe
from kops.errors import KopsError
from kops.state import ANY, StateStore, StoredObject

from kops_openstack import api

#: How long one request keeps retrying transient failures (and an unreachable endpoint) before giving up.
RETRY_SECONDS = 30.0
#: How long after taking the lock an overlapping create is taken to have landed (see the module docstring).
SETTLE_SECONDS = 0.25
#: The lock object's lifetime: Swift deletes a crashed holder's lock after this long.
LOCK_SECONDS = 60
#: A holder stops changing objects this long before its lock would expire.
_LOCK_MARGIN = 15.0
#: The lock object, under the store's prefix.
LOCK = ".kops/lock"
_GENERATION = "X-Object-Meta-Kops-Generation"
#: Swift container names here: what a URL's host part can carry unambiguously.
_CONTAINER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$")


class SwiftStateStore(StateStore):
    serializes_writers = True

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme.lower() != "swift" or not parts.netloc:
            raise KopsError(f"invalid state store URL {url!r}: expected swift://CONTAINER or swift://CONTAINER/PREFIX")
        if not _CONTAINER.match(parts.netloc):
            raise KopsError(f"invalid state store URL {url!r}: {parts.netloc!r} is not a Swift container name kops "
                            "accepts (letters, digits, '.', '_' and '-', at most 256)")
        if parts.query or parts.fragment:
            raise KopsError(f"invalid state store URL {url!r}: Swift state store URLs take no query or fragment")
        self.container = parts.netloc
        self.prefix = parts.path.strip("/")
        super().__init__(f"swift://{self.container}/{self.prefix}" if self.prefix else f"swift://{self.container}")
        self._local = threading.RLock()
        self._depth = 0
        self._held_until = 0.0
        self._container_seen = False

    # --- the write lock -----------------------------------------------------------------------------

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """The store's write lock, held by one thread of one process at a time; reentrant."""
        with self._local:
            if self._depth == 0:
                self._take_lock()
            self._depth += 1
            try:
                yield
            except BaseException:
                self._leave(quietly=True)  # the error that got us here is the one to report
                raise
            self._leave(quietly=False)

    def _leave(self, quietly: bool) -> None:
        self._depth -= 1
        if self._depth == 0:
            try:
                self._drop_lock()
            except KopsError:
                if not quietly:
                    raise

    def _take_lock(self) -> None:
        owner = f"{socket.gethostname()}:{os.getpid()}"
        give_up = time.monotonic() + LOCK_SECONDS + _LOCK_MARGIN
        pause = 0.02
        while True:
            token = uuid.uuid4().hex
            started = time.monotonic()
            created = self._send("put", LOCK, "take the write lock", accept=(404, 409, 412),
                                 data=json.dumps({"owner": owner, "token": token}).encode(),
                                 headers={"If-None-Match": "*", "X-Delete-After": str(LOCK_SECONDS),
                                          "Content-Type": "application/json"})
            if created.status_code == 404:
                self._missing_container()
            holder = None
            if created.status_code < 300:
                time.sleep(SETTLE_SECONDS)
                found = self._lock_holder()
                if found is not None and found.get("token") == token:
                    self._held_until = started + LOCK_SECONDS - _LOCK_MARGIN
                    return
                holder = found
            if time.monotonic() > give_up:
                who = (holder or self._lock_holder() or {}).get("owner", "another kops")
                raise KopsError(f"state store {self.url}: the write lock {LOCK} has been held by {who} for over "
                                f"{LOCK_SECONDS + _LOCK_MARGIN:.0f}s; retry (Swift removes it by itself)")
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, 1.0)

    def _lock_holder(self) -> dict[str, Any] | None:
        response = self._send("get", LOCK, "read the write lock", accept=(404,), headers={"X-Newest": "true"})
        if response.status_code == 404:
            return None
        try:
            found = json.loads(response.content)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def _drop_lock(self) -> None:
        if time.monotonic() < self._held_until:  # past it, the lock may be someone else's: Swift expires ours
            self._send("delete", LOCK, "release the write lock", accept=(404,))

    def _holding(self, key: str) -> None:
        """Refuse to change ``key`` when the lock may already have expired: another writer may hold it now."""
        if time.monotonic() >= self._held_until:
            raise KopsError(f"state store {self.url}: not writing {key}: the write lock {LOCK} was held for over "
                            f"{LOCK_SECONDS - _LOCK_MARGIN:.0f}s and may have been taken by another writer; retry")

    def delete_tree(self, prefix: str) -> int:
        """Under one lock, rather than one per object."""
        with self._exclusive():
            return super().delete_tree(prefix)

    # --- primitives ---------------------------------------------------------------------------------

    def _get(self, key: str) -> StoredObject | None:
        response = self._send("get", key, f"read {key}", accept=(404,), headers={"X-Newest": "true"})
        if response.status_code == 404:
            self._check_container()
            return None
        return StoredObject(data=response.content, generation=_generation(response))

    def _put(self, key: str, data: bytes, expect: Any, private: bool) -> str:
        with self._exclusive():
            if expect is not ANY:
                self._expect(key, expect)
            self._holding(key)
            generation = uuid.uuid4().hex
            response = self._send("put", key, f"write {key}", accept=(404,), data=data,
                                  headers={_GENERATION: generation, "Content-Type": "application/octet-stream"})
            if response.status_code == 404:
                self._missing_container()
            return generation

    def _remove(self, key: str, expect: Any) -> None:
        with self._exclusive():
            if expect is not ANY:
                self._expect(key, expect)
            self._holding(key)
            if self._send("delete", key, f"delete {key}", accept=(404,)).status_code == 404:
                self._check_container()

    def _list(self, prefix: str) -> dict[str, int]:
        strip = len(self._name(""))
        found: dict[str, int] = {}
        marker = ""
        while True:
            response = self._send("get", None, "list objects", accept=(404,),
                                  params={"format": "json", "prefix": self._name(prefix), "marker": marker})
            if response.status_code == 404:
                self._missing_container()
            page = response.json()
            if not page:
                return found
            for item in page:
                found[item["name"][strip:]] = int(item.get("bytes") or 0)
            marker = page[-1]["name"]

    def _expect(self, key: str, expect: Any) -> None:
        """Raise ConflictError unless ``key`` is at ``expect`` now (None: absent); called under the lock."""
        response = self._send("head", key, f"read {key}", accept=(404,), headers={"X-Newest": "true"})
        if response.status_code == 404:
            self._check_container()
        found = None if response.status_code == 404 else _generation(response)
        if found != expect:
            raise self._conflict(key, expect, found)

    # --- requests and their errors ------------------------------------------------------------------

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _send(self, method: str, key: str | None, action: str, accept: tuple[int, ...] = (), **args: Any) -> Any:
        """One request for object ``key`` (None: the container), retrying what may pass; a status in ``accept`` is
        returned like a success. Anything else becomes one line naming the store."""
        from openstack import exceptions

        path = quote(self.container) + ("" if key is None else "/" + quote(self._name(key)))

        def attempt() -> Any:
            response = getattr(api.connection().object_store, method)(path, raise_exc=False, **args)
            if response.status_code < 300 or response.status_code in accept:
                return response
            exceptions.raise_from_response(response)
            return response  # pragma: no cover - raise_from_response raises for every error status

        policy = RetryPolicy(base_delay=0.2, max_delay=4.0, deadline=RETRY_SECONDS, unreachable_deadline=RETRY_SECONDS)
        try:
            return Retrier(policy, api.ERRORS).call(attempt)
        except KopsError as exc:
            last = getattr(exc, "last", None) or exc.__cause__
            if last is not None and api.ERRORS.unreachable(last):
                raise self._error(_unreachable(last)) from None
            raise self._error(str(exc)) from None
        except Exception as exc:
            code = api.status(exc)
            if code in (401, 403):
                raise self._error(f"access denied to Swift container {self.container!r} (HTTP {code}); check that "
                                  "the OpenStack user has a role on the project that may use object storage") from None
            raise self._error(f"cannot {action} in Swift container {self.container!r}: {_first_line(exc)}") from None

    def _error(self, reason: str) -> KopsError:
        return KopsError(" ".join(f"state store {self.url}: {reason}".split()))

    def _check_container(self) -> None:
        """A 404 for an object: fine, unless the container itself is missing."""
        if not self._container_seen:
            if self._send("head", None, "look up the container", accept=(404,)).status_code == 404:
                self._missing_container()
            self._container_seen = True

    def _missing_container(self) -> None:
        raise self._error(f"Swift container {self.container!r} does not exist; create it (openstack container "
                          f"create {self.container}) or fix the state store URL")


def _generation(response: Any) -> str:
    return response.headers.get(_GENERATION) or f"etag-{response.headers.get('Etag', '').strip(chr(34))}"


def _unreachable(exc: BaseException) -> str:
    """A connection failure as one line: which service (Keystone, or Swift), its URL and the reason."""
    text = str(exc)
    url = getattr(exc, "url", None) or (re.findall(r"https?://[^\s:]+(?::\d+)?[^\s:]*", text) or ["its endpoint"])[0]
    reason = (re.findall(r"\[Errno -?\d+\] ([^\"')]+)", text) or [type(exc).__name__])[-1]
    auth = os.environ.get("OS_AUTH_URL") or ""
    if auth and url.startswith(auth.rstrip("/")):
        return f"cannot reach Keystone at {url} for {RETRY_SECONDS:.0f}s ({reason}); check OS_AUTH_URL and the network"
    return (f"cannot reach Swift at {url} for {RETRY_SECONDS:.0f}s ({reason}); check the catalog's object-store "
            "endpoint and the network")


def _first_line(exc: BaseException) -> str:
    text = describe(exc)
    return text if len(text) <= 300 else text[:297] + "..."

