"""``gs://bucket[/prefix]``: the state store in a Google Cloud Storage bucket, in upstream kOps's layout.

The generation of an object is GCS's own ``generation`` number, which changes on every write (rewriting the
same bytes included). Conditional requests carry it as ``ifGenerationMatch``, ``0`` meaning "must not exist";
GCS checks the condition atomically with the write or delete, so there is no lock object and no window between
check and write. A lost race comes back as 412 and becomes a ConflictError.

Objects are never given an ACL or a predefined ACL: they stay as private as the bucket's IAM policy (or its
default object ACL) makes them. GCS encrypts every object at rest, so secret material (``private=True``) needs
nothing more than that; a bucket with a customer-managed key applies it to every object written here too.

google-cloud-storage is imported when the first request is made, so importing this module (which ``kops --help``
may do through the entry point) stays cheap. Credentials are the Application Default Credentials. When
``STORAGE_EMULATOR_HOST`` is set the library talks to that emulator anonymously. Objects are addressed by bucket
alone, so no project is needed; ``GOOGLE_CLOUD_PROJECT`` is passed on when set.

Transient failures (429, 5xx, connections refused or reset) are retried for up to :data:`RETRY_SECONDS`, which
also covers GCS's limit of about one write per second to one object name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn
from urllib.parse import urlsplit

from kops.errors import KopsError
from kops.state import ANY, StateStore, StoredObject, layout

log = logging.getLogger(__name__)

#: How long one request keeps retrying transient failures before the store gives up with an error.
RETRY_SECONDS = 30.0
#: Seconds to connect, and to wait for an answer.
_TIMEOUT = (10, 60)
#: Bucket naming rules: lower-case letters, digits, dashes, underscores and dots, alphanumeric at both ends;
#: 3-63 characters, or up to 222 with dots, each dot-separated part then at most 63.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
#: A GCS generation: a positive integer (0 in a precondition means "does not exist").
_GENERATION = re.compile(r"^[1-9][0-9]{0,18}$")
_CREDENTIALS_HELP = ("run 'gcloud auth application-default login', or set GOOGLE_APPLICATION_CREDENTIALS to a "
                     "service account key file")
_client_lock = threading.Lock()


class GCSStateStore(StateStore):
    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme.lower() != "gs" or not parts.netloc:
            raise KopsError(f"invalid state store URL {url!r}: expected gs://BUCKET or gs://BUCKET/PREFIX")
        bucket = parts.netloc
        if not _valid_bucket(bucket):
            raise KopsError(f"invalid state store URL {url!r}: {bucket!r} is not a valid GCS bucket name")
        if parts.query or parts.fragment:
            raise KopsError(f"invalid state store URL {url!r}: GCS state store URLs take no query or fragment")
        self.bucket = bucket
        self.prefix = parts.path.strip("/")
        super().__init__(f"gs://{self.bucket}/{self.prefix}" if self.prefix else f"gs://{self.bucket}")
        self._connection: tuple[Any, Any] | None = None
        self._bucket_seen = False
        self._warned_unreachable = False

    @property
    def client(self) -> Any:
        """The google-cloud-storage client, created on first use."""
        return self._google()[0]

    @property
    def retry(self) -> Any:
        """How every request retries transient failures; made with the client."""
        return self._google()[1]

    def _google(self) -> tuple[Any, Any]:
        if self._connection is None:
            with _client_lock:
                if self._connection is None:
                    self._connection = self._connect()
        return self._connection

    def _connect(self) -> tuple[Any, Any]:
        from google.api_core.retry import Retry
        from google.auth.exceptions import DefaultCredentialsError
        from google.cloud import storage
        from requests.adapters import HTTPAdapter

        # google-auth logs a warning of its own for each place it found no credentials; the error below says it.
        auth_log = logging.getLogger("google.auth._default")
        level = auth_log.level
        auth_log.setLevel(logging.ERROR)
        try:
            client = storage.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT") or None)
        except DefaultCredentialsError as exc:
            raise self._no_credentials(exc) from None
        finally:
            auth_log.setLevel(level)
        # An apply writes many boot files at once; requests keeps only 10 connections per host by default. (A mutual
        # TLS adapter, where google-auth mounted one, is left alone.)
        for scheme in ("https://", "http://"):
            if type(client._http.adapters.get(scheme)) is HTTPAdapter:
                client._http.mount(scheme, HTTPAdapter(pool_maxsize=32))
        retry = Retry(predicate=_transient, initial=0.5, maximum=8.0, multiplier=2.0, timeout=RETRY_SECONDS,
                      on_error=self._retrying)
        return client, retry

    def _retrying(self, exc: BaseException) -> None:
        """Say at once that the endpoint cannot be reached, rather than retrying in silence."""
        if _connection_error(exc) and not self._warned_unreachable:
            self._warned_unreachable = True
            log.warning("state store %s: cannot reach Cloud Storage at %s (%s); retrying for up to %.0fs",
                        self.url, self.client.api_endpoint, _first_line(exc), RETRY_SECONDS)

    def _blob(self, key: str) -> Any:
        return self.client.bucket(self.bucket).blob(self._key(key))

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _get(self, key: str) -> StoredObject | None:
        from google.api_core.exceptions import NotFound

        blob = self._blob(key)
        try:
            with self._errors(key, "read"):
                data = blob.download_as_bytes(retry=self.retry, timeout=_TIMEOUT)
        except NotFound:
            self._check_bucket()
            return None
        if blob.generation is None:
            raise KopsError(f"state store {self.url}: Cloud Storage did not say the generation of {key} "
                            f"(no x-goog-generation header from {self.client.api_endpoint})")
        return StoredObject(data=data, generation=str(blob.generation))

    def _put(self, key: str, data: bytes, expect: Any, private: bool) -> str:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        condition: dict[str, int] = {}
        if expect is None:
            condition["if_generation_match"] = 0
        elif expect is not ANY:
            if not _GENERATION.match(expect):  # not a GCS generation, so no object is at it
                raise self._conflict(key, expect, self._current_generation(key))
            condition["if_generation_match"] = int(expect)
        blob = self._blob(key)
        try:
            with self._errors(key, "write"):
                blob.upload_from_string(data, content_type="application/octet-stream", retry=self.retry,
                                        timeout=_TIMEOUT, **condition)
        except PreconditionFailed:
            raise self._conflict(key, expect, None if expect is None else self._current_generation(key)) from None
        except NotFound:  # an upload needs no object, only the bucket
            self._missing_bucket()
        return str(blob.generation)

    def _remove(self, key: str, expect: Any) -> None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        condition: dict[str, int] = {}
        if expect is not ANY:
            if not _GENERATION.match(expect):
                raise self._conflict(key, expect, self._current_generation(key))
            condition["if_generation_match"] = int(expect)
        try:
            with self._errors(key, "delete"):
                self._blob(key).delete(retry=self.retry, timeout=_TIMEOUT, **condition)
        except PreconditionFailed:
            raise self._conflict(key, expect, self._current_generation(key)) from None
        except NotFound:
            self._check_bucket()
            if expect is not ANY:
                raise self._conflict(key, expect, None) from None

    def _list(self, prefix: str) -> dict[str, int]:
        return {path: int(item.size or 0) for path, item in self._listing(prefix, "items(name,size),nextPageToken")}

    def content_digests(self, prefix: str) -> dict[str, str]:
        """From one listing: GCS lists the MD5 of every object uploaded whole (base64, here turned to hex); a
        composite object has none and is read."""
        layout.check_path(prefix.rstrip("/") or prefix, what="prefix")
        self._settle()
        found: dict[str, str] = {}
        for path, item in self._listing(prefix, "items(name,md5Hash),nextPageToken"):
            if layout.is_internal(path):
                continue
            if item.md5_hash:
                found[path] = base64.b64decode(item.md5_hash).hex()
            elif (obj := self._get(path)) is not None:
                found[path] = hashlib.md5(obj.data, usedforsecurity=False).hexdigest()
        return found

    def _listing(self, prefix: str, fields: str) -> Iterator[tuple[str, Any]]:
        """Every object under ``prefix``, as (path relative to the store, listed blob)."""
        from google.api_core.exceptions import NotFound

        strip = len(self._key(""))
        try:
            with self._errors(prefix or "/", "list"):
                items = list(self.client.list_blobs(self.bucket, prefix=self._key(prefix), fields=fields,
                                                    retry=self.retry, timeout=_TIMEOUT))
        except NotFound:  # listing names no object: it is the bucket that is missing
            self._missing_bucket()
        self._bucket_seen = True
        for item in items:
            yield item.name[strip:], item

    def _current_generation(self, key: str) -> str | None:
        """The object's generation now, to say how a conflict came about."""
        with self._errors(key, "read"):
            blob = self.client.bucket(self.bucket).get_blob(self._key(key), retry=self.retry, timeout=_TIMEOUT)
        return str(blob.generation) if blob is not None else None

    def _check_bucket(self) -> None:
        """After a 404 naming an object, raise if it was the bucket that is missing: GCS's 404s do not always say
        which (fake-gcs-server's never do), so a store asks once, with a listing of at most one object."""
        from google.api_core.exceptions import NotFound

        if self._bucket_seen:
            return
        try:
            with self._errors("/", "list"):
                list(self.client.list_blobs(self.bucket, max_results=1, fields="items(name)", retry=self.retry,
                                            timeout=_TIMEOUT))
        except NotFound:
            self._missing_bucket()
        self._bucket_seen = True

    def _no_credentials(self, exc: BaseException) -> KopsError:
        return KopsError(f"state store {self.url}: no usable Google credentials ({_first_line(exc)}); "
                         f"{_CREDENTIALS_HELP}")

    def _missing_bucket(self) -> NoReturn:
        raise KopsError(f"state store {self.url}: GCS bucket {self.bucket!r} does not exist; create it "
                        f"(gcloud storage buckets create gs://{self.bucket}) or fix the state store URL")

    @contextmanager
    def _errors(self, key: str, action: str) -> Iterator[None]:
        """Run one request, turning Google's errors into one-line KopsErrors that name the store. 404 and 412
        pass through: what they mean depends on the request."""
        from google.api_core import exceptions as api
        from google.auth import exceptions as auth
        from google.cloud.storage.exceptions import DataCorruption, InvalidResponse

        try:
            yield
        except (api.NotFound, api.PreconditionFailed):
            raise
        except DataCorruption:
            raise KopsError(f"state store {self.url}: cannot {action} {key}: what Cloud Storage sent did not match "
                            "its checksum; retry") from None
        except api.RetryError as exc:
            self._translate(exc.cause or exc, key, action, gave_up=True)
        except (api.GoogleAPICallError, InvalidResponse, auth.GoogleAuthError, OSError) as exc:
            self._translate(exc, key, action)

    def _translate(self, exc: BaseException, key: str, action: str, gave_up: bool = False) -> NoReturn:
        from google.auth import exceptions as auth

        where = f"state store {self.url}"
        if isinstance(exc, auth.DefaultCredentialsError):
            raise self._no_credentials(exc) from None
        if isinstance(exc, auth.RefreshError):
            raise KopsError(f"{where}: the Google credentials could not be refreshed ({_first_line(exc)}); "
                            f"{_CREDENTIALS_HELP}") from None
        if isinstance(exc, auth.TransportError):  # google-auth retried it already
            raise KopsError(f"{where}: cannot reach Google to refresh the credentials ({_first_line(exc)}); check "
                            "the network and any proxy settings") from None
        if _connection_error(exc):
            waited = f" (for {RETRY_SECONDS:.0f}s)" if gave_up else ""
            raise KopsError(f"{where}: cannot reach Cloud Storage at {self.client.api_endpoint}{waited}: "
                            f"{_first_line(exc)}; check the endpoint, the network and any proxy settings") from None
        status = _status(exc)
        if status == 401:
            raise KopsError(f"{where}: Cloud Storage refused the credentials ({_reason(exc)}); "
                            f"{_CREDENTIALS_HELP}") from None
        if status == 403:
            raise KopsError(f"{where}: access denied to GCS bucket {self.bucket!r} ({_reason(exc)}); check the "
                            "account's roles on the bucket (storage.objects.* permissions)") from None
        still = f"still failing after {RETRY_SECONDS:.0f}s: " if gave_up else ""
        detail = f"{status} {_reason(exc)}" if status else _first_line(exc)
        raise KopsError(f"{where}: cannot {action} {key} in GCS bucket {self.bucket!r}: {still}{detail}") from None


def _valid_bucket(name: str) -> bool:
    if not _BUCKET.match(name) or ".." in name:
        return False
    parts = name.split(".")
    return all(0 < len(part) <= 63 for part in parts) and (len(parts) > 1 or len(name) <= 63)


def _status(exc: BaseException) -> int | None:
    """The HTTP status of an API error: raised as such, or (from a download) as the response it came in."""
    from google.api_core.exceptions import GoogleAPICallError
    from google.cloud.storage.exceptions import InvalidResponse

    if isinstance(exc, GoogleAPICallError):
        return int(exc.code) if exc.code else None
    if isinstance(exc, InvalidResponse):
        return int(exc.response.status_code)
    return None


def _transient(exc: BaseException) -> bool:
    """Worth retrying: throttling, a server error, a request that timed out, a connection refused or lost. Not a
    failure to refresh credentials: google-auth has retried that itself."""
    from google.auth.exceptions import TransportError

    if isinstance(exc, TransportError):
        return False
    return _status(exc) in (408, 429, 500, 502, 503, 504) or _connection_error(exc)


def _connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the endpoint could not be reached (refused, unresolvable, timed out, reset)."""
    import requests
    import urllib3

    return isinstance(exc, ConnectionError | TimeoutError | requests.ConnectionError | requests.Timeout
                      | requests.exceptions.ChunkedEncodingError | urllib3.exceptions.HTTPError)


def _reason(exc: Any) -> str:
    """Google's own words for an API error, without the request line and the response dump around them."""
    for error in getattr(exc, "errors", None) or []:
        if isinstance(error, dict) and error.get("message"):
            return _first_line(error["message"])
    response = getattr(exc, "response", None)
    text = getattr(response, "text", None) if response is not None else None
    text = text or re.sub(r"^[A-Z]+ https?://\S+: ", "", str(getattr(exc, "message", "") or exc).strip())
    try:  # a JSON error document, maybe with more after it
        document, _ = json.JSONDecoder().raw_decode(text)
        message = document["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return _first_line(text)
    return _first_line(message)


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0] if lines else type(value).__name__

