"""``s3://bucket[/prefix]``: the state store in an S3 bucket, in upstream kOps's layout.

Conditional writes use S3's own conditional requests: ``PutObject`` with ``If-None-Match: *`` (create only)
or ``If-Match: <etag>`` (replace only that version), and ``DeleteObject`` with ``If-Match``. S3 evaluates
the condition atomically with the write, so there is no lock object and no window between check and write;
a lost race comes back as 412 (or 409 when two conditional writes overlap) and becomes a ConflictError.
moto's server supports the same headers, which is how the tests exercise this code over HTTP.

The generation is the object's ETag. An ETag is a hash of the content, so rewriting identical bytes keeps
it; compare-and-swap on it is still sound, since a writer whose expected ETag matches is replacing exactly
the bytes it read.

Secret material (``private=True``) is written with SSE-S3 (AES256). No ACL is ever sent: objects stay
private to the bucket owner, and buckets with ACLs disabled accept the requests.

boto3 is imported when the first request is made, so importing this module (which ``kops --help`` may do
through the entry point) stays cheap. ``AWS_ENDPOINT_URL`` is honoured by boto3 itself; the region comes
from ``AWS_REGION`` or ``AWS_DEFAULT_REGION`` and defaults to us-east-1.

This module is public API: a plugin for another S3-compatible service (``do://`` for DigitalOcean Spaces)
subclasses :class:`S3StateStore` and keeps its conditional writes, layout and error translation. A subclass
sets :attr:`~S3StateStore.scheme` (the URL scheme it answers to), :attr:`~S3StateStore.service` (what messages
call the service), :attr:`~S3StateStore.access_help` and :attr:`~S3StateStore.encrypt_private`, and overrides
:meth:`~S3StateStore.client_args` (endpoint, credentials, region, client settings), :meth:`~S3StateStore.session`
(to keep AWS's profiles and files out) and :meth:`~S3StateStore.explain` (how its credential errors read).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from typing import Any, NoReturn
from urllib.parse import urlsplit

from kops.errors import KopsError
from kops.state import ANY, StateStore, StoredObject, layout

# Bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens, alphanumeric at both ends.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_CONFLICT_CODES = {"PreconditionFailed", "ConditionalRequestConflict"}
_DENIED_CODES = {"AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                 "ExpiredToken", "InvalidToken", "Forbidden", "403"}
_client_lock = threading.Lock()


class S3StateStore(StateStore):
    #: The URL scheme this store answers to; the store's URL is written with it.
    scheme = "s3"
    #: What error messages call the service ("S3 bucket 'name'").
    service = "S3"
    #: What an access-denied message tells the user to check.
    access_help = "check your AWS credentials and the bucket policy"
    #: Whether secret material is written with SSE-S3 (a service without it would refuse the header).
    encrypt_private = True

    def __init__(self, url: str):
        parts = urlsplit(url)
        scheme, service = self.scheme, self.service
        if parts.scheme.lower() != scheme or not parts.netloc:
            raise KopsError(f"invalid state store URL {url!r}: expected {scheme}://BUCKET or {scheme}://BUCKET/PREFIX")
        if not _BUCKET.match(parts.netloc) or ".." in parts.netloc:
            raise KopsError(f"invalid state store URL {url!r}: {parts.netloc!r} is not a valid {service} bucket name")
        if parts.query or parts.fragment:
            raise KopsError(f"invalid state store URL {url!r}: {service} state store URLs take no query or fragment")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        super().__init__(f"{scheme}://{self.bucket}/{self.prefix}" if self.prefix else f"{scheme}://{self.bucket}")
        self._client: Any = None

    @classmethod
    def boot_reader(cls) -> str:
        """Machines read AWS's S3 with :mod:`kops_aws.nodeaws` (the instance role's credentials, SigV4 from the
        standard library); a subclass for another service says how its machines read it, or that they cannot."""
        if cls.scheme != "s3":
            return ""
        import inspect

        from kops_aws import nodeaws

        return inspect.getsource(nodeaws) + (
            "\n\ndef read(url):\n"
            "    bucket, _, key = url.split('://', 1)[1].partition('/')\n"
            "    return s3_get(bucket, key)[0]\n")

    @property
    def client(self) -> Any:
        """The boto3 S3 client, created on first use (boto3 sessions are not thread-safe; clients are). On a machine,
        where there is no boto3, one of the standard library (:class:`kops_aws.nodecalls.NodeS3Client`) stands in."""
        if self._client is None:
            with _client_lock:
                if self._client is None:
                    self._client = self.session().client("s3", **self.client_args()) if _have_boto3() \
                        else _node_client(self.bucket)
        return self._client

    def session(self) -> Any:
        """The boto3 session the client is made from: AWS's own, with its profiles, files and credential chain."""
        import boto3

        return boto3.session.Session()

    def client_args(self) -> dict[str, Any]:
        """Keyword arguments for boto3's ``client("s3", ...)``: the region and the client's settings. A subclass
        adds its endpoint and credentials, and may merge more settings into ``config``."""
        from botocore.config import Config

        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return {"region_name": region,
                "config": Config(retries={"mode": "standard", "max_attempts": 5},
                                 # an apply writes many boot files at once
                                 max_pool_connections=32, connect_timeout=5)}

    def explain(self, exc: BaseException) -> str | None:
        """A one-line message for credentials that are missing or refused, naming how to give them; else None."""
        from kops_aws.nodeaws import AWSError

        if isinstance(exc, AWSError):  # a machine's own client: its credentials are the instance role's
            from kops_aws.awsapi import REFUSED_CREDENTIAL_CODES

            return f"AWS refused the machine's credentials ({exc})" if exc.code in REFUSED_CREDENTIAL_CODES else None
        from kops_aws.awsapi import AWS_ERRORS

        return AWS_ERRORS.explain(exc)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _get(self, key: str) -> StoredObject | None:
        try:
            response = self._call(key, "read", self.client.get_object, Bucket=self.bucket, Key=self._key(key))
        except _NoSuchKey:
            return None
        private = response.get("ServerSideEncryption") is not None if self.encrypt_private else None
        return StoredObject(data=response["Body"].read(), generation=response["ETag"], private=private)

    def _put(self, key: str, data: bytes, expect: Any, private: bool) -> str:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key), "Body": data}
        if expect is None:
            args["IfNoneMatch"] = "*"
        elif expect is not ANY:
            args["IfMatch"] = expect
        if private and self.encrypt_private:
            args["ServerSideEncryption"] = "AES256"
        try:
            return self._call(key, "write", self.client.put_object, expect=expect, **args)["ETag"]
        except _NoSuchKey:  # If-Match on an object that no longer exists
            raise self._conflict(key, expect, None) from None

    def _remove(self, key: str, expect: Any) -> None:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if expect is not ANY:
            args["IfMatch"] = expect
        try:
            self._call(key, "delete", self.client.delete_object, expect=expect, **args)
        except _NoSuchKey:
            if expect is not ANY:
                raise self._conflict(key, expect, None) from None

    def _list(self, prefix: str) -> dict[str, int]:
        full = self._key(prefix)
        strip = len(self._key(""))
        found: dict[str, int] = {}
        pages = self._call(prefix or "/", "list", self._paginate, Prefix=full)
        for page in pages:
            for item in page.get("Contents", []):
                found[item["Key"][strip:]] = item["Size"]
        return found

    def content_digests(self, prefix: str) -> dict[str, str]:
        """From one listing: a single-part object's ETag is the MD5 of its bytes (with SSE-S3 too); any other
        object is read."""
        layout.check_path(prefix.rstrip("/") or prefix, what="prefix")
        self._settle()
        strip = len(self._key(""))
        found: dict[str, str] = {}
        for page in self._call(prefix or "/", "list", self._paginate, Prefix=self._key(prefix)):
            for item in page.get("Contents", []):
                path, etag = item["Key"][strip:], item.get("ETag", "").strip('"')
                if layout.is_internal(path):
                    continue
                if len(etag) == 32 and "-" not in etag:
                    found[path] = etag
                elif (obj := self._get(path)) is not None:
                    found[path] = hashlib.md5(obj.data, usedforsecurity=False).hexdigest()
        return found

    def _paginate(self, **args: Any) -> list[dict[str, Any]]:
        return list(self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, **args))

    def _call(self, key: str, action: str, operation: Any, expect: Any = ANY, **args: Any) -> Any:
        """Run one S3 request, turning AWS errors into one-line KopsErrors that name the bucket."""
        from kops_aws.nodeaws import AWSError

        try:
            return operation(**args)
        except AWSError as exc:
            if exc.status:
                self._translate(exc, key, action, expect)
            raise KopsError(f"state store {self.url}: cannot {action} {key}: {exc}") from None
        except Exception as exc:
            if not type(exc).__module__.startswith("botocore"):
                raise
            from botocore.exceptions import ClientError

            if isinstance(exc, ClientError):
                self._translate(exc, key, action, expect)
            raise KopsError(f"state store {self.url}: cannot {action} {key}: {self.explain(exc) or exc}") from exc

    def _translate(self, exc: Any, key: str, action: str, expect: Any) -> NoReturn:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _CONFLICT_CODES or status == 412:
            raise self._conflict(key, expect, "(changed)") from None
        if code in ("NoSuchKey", "404") and action != "list":
            raise _NoSuchKey()
        if code == "NoSuchBucket":
            raise KopsError(f"state store {self.url}: {self.service} bucket {self.bucket!r} does not exist; create "
                            "it or fix the state store URL") from None
        explained = self.explain(exc)
        if explained:
            raise KopsError(f"state store {self.url}: {explained}") from None
        if code in _DENIED_CODES or status == 403:
            raise KopsError(f"state store {self.url}: access denied to {self.service} bucket {self.bucket!r} ({code}); "
                            f"{self.access_help}") from None
        message = str(error.get("Message") or exc).splitlines()[0]
        raise KopsError(f"state store {self.url}: cannot {action} {key} in {self.service} bucket {self.bucket!r}: "
                        f"{code}: {message}") from None


class _NoSuchKey(Exception):
    """The object is absent; callers decide whether that is normal (read) or a conflict (If-Match)."""



def _have_boto3() -> bool:
    import importlib.util

    return importlib.util.find_spec("boto3") is not None


def _node_client(bucket: str) -> Any:
    from kops_aws.nodecalls import NodeS3Client

    return NodeS3Client(bucket)
