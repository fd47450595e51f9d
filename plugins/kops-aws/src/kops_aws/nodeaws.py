"""AWS requests from a machine with the standard library alone: credentials, Signature Version 4, S3 reads.

Machines have Python but no AWS SDK, so the boot script, ``kops nodeup`` and the node credential service sign
their own requests. This module imports nothing but the standard library: the user data embeds its source as
it is, to fetch the node bundle (so keep it small; AWS allows 16 KiB of user data). The calls only kops makes
on machines are in :mod:`kops_aws.nodecalls`.

As the AWS SDKs: credentials from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``, else the
instance role through instance metadata v2 (``AWS_EC2_METADATA_SERVICE_ENDPOINT`` moves it); the region from
``AWS_REGION``/``AWS_DEFAULT_REGION``, else the metadata; endpoints from ``AWS_ENDPOINT_URL_<SERVICE>``,
``AWS_ENDPOINT_URL``, else AWS's regional ones.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

TIMEOUT = 30


class AWSError(Exception):
    """A failed request: AWS's error ``code`` and HTTP ``status`` (0: no answer); ``response`` is shaped like
    botocore's ``ClientError.response``."""

    def __init__(self, code: str, message: str, status: int = 0, region_hint: str = ""):
        super().__init__(f"{code}: {message}" if message else code)
        self.code, self.message, self.status, self.region_hint = code, message, status, region_hint
        self.response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


class Credentials:
    def __init__(self, access_key: str, secret_key: str, token: str = "", expires: float | None = None):
        self.access_key, self.secret_key, self.token, self.expires = access_key, secret_key, token, expires


def metadata(path: str) -> str:
    """An instance metadata value (``placement/region``), asked with an IMDSv2 session token."""
    base = (os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or "http://169.254.169.254").rstrip("/")
    try:
        put = urllib.request.Request(f"{base}/latest/api/token", method="PUT",
                                     headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        with urllib.request.urlopen(put, timeout=5) as response:
            token = response.read().decode()
        get = urllib.request.Request(f"{base}/latest/meta-data/{path}", headers={"X-aws-ec2-metadata-token": token})
        with urllib.request.urlopen(get, timeout=5) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError) as exc:
        raise AWSError("NoInstanceMetadata", f"instance metadata at {base} did not answer for {path} "
                       f"({getattr(exc, 'reason', exc)}); outside an instance set AWS_REGION and AWS credentials") \
            from None


_cached: dict[str, Credentials] = {}
_lock = threading.Lock()


def credentials() -> Credentials:
    """The environment's credentials, else the instance role's (renewed five minutes before they expire)."""
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return Credentials(key, secret, os.environ.get("AWS_SESSION_TOKEN") or "")
    with _lock:
        held = _cached.get("role")
        if held is None or (held.expires is not None and held.expires - time.time() < 300):
            role = metadata("iam/security-credentials/").split("\n")[0].strip()
            doc = json.loads(metadata(f"iam/security-credentials/{role}"))
            expires = datetime.datetime.fromisoformat(doc["Expiration"].replace("Z", "+00:00")).timestamp() \
                if doc.get("Expiration") else None
            held = _cached["role"] = Credentials(doc["AccessKeyId"], doc["SecretAccessKey"], doc.get("Token", ""),
                                                 expires)
        return held


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or metadata("placement/region")


def endpoint(service: str, region_name: str) -> str:
    """The endpoint URL of ``service`` (``s3``, ``sts``, ``ec2``) in ``region_name``, without a trailing slash."""
    override = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    if override:
        return override.rstrip("/")
    return f"https://{service}.{region_name}.amazonaws.com" + (".cn" if region_name.startswith("cn-") else "")


def quote(text: str, safe: str = "-_.~") -> str:
    return urllib.parse.quote(text, safe=safe)


def sign(method: str, url: str, headers: dict[str, str], body: bytes, service: str, region_name: str,
         creds: Credentials, now: datetime.datetime | None = None) -> dict[str, str]:
    """``headers`` with SigV4's added (``Authorization``, ``X-Amz-Date``, the session token and, for S3, the payload
    hash); every header given is signed."""
    now = now or datetime.datetime.now(datetime.UTC)
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    parts = urllib.parse.urlsplit(url)
    payload = hashlib.sha256(body).hexdigest()
    out = dict(headers, **{"X-Amz-Date": stamp})
    if creds.token:
        out["X-Amz-Security-Token"] = creds.token
    if service == "s3":
        out["X-Amz-Content-Sha256"] = payload
    signed = {k.lower(): " ".join(str(v).split()) for k, v in out.items()}
    signed["host"] = parts.netloc
    names = sorted(signed)
    path = quote(urllib.parse.unquote(parts.path or "/"), "/-_.~") if service == "s3" else (parts.path or "/")
    query = sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    canonical = "\n".join([method, path, "&".join(f"{quote(k)}={quote(v)}" for k, v in query),
                           "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names), payload])
    scope = f"{day}/{region_name}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + creds.secret_key).encode()
    for part in (day, region_name, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    out["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={creds.access_key}/{scope}, SignedHeaders={';'.join(names)}"
                            f", Signature={hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()}")
    return out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def send(method: str, url: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One request, no redirect followed: (status, headers by lower-case name, body)."""
    request = urllib.request.Request(url, data=body if method in ("POST", "PUT") else None, method=method,
                                     headers=headers)
    try:
        with urllib.request.build_opener(_NoRedirect()).open(request, timeout=TIMEOUT) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise AWSError("RequestFailed", f"{method} {url}: {getattr(exc, 'reason', exc)}") from None


def error(status: int, headers: dict[str, str], body: bytes) -> AWSError:
    """AWS's error in a response (S3's ``Error``, EC2's ``Errors``, STS's ``ErrorResponse``)."""
    code, message = f"HTTP{status}", body[:200].decode(errors="replace")
    try:
        for element in ET.fromstring(body).iter():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("Code", "Message") and element.text:
                code, message = (element.text, message) if tag == "Code" else (code, element.text)
    except ET.ParseError:
        pass
    return AWSError(code, message, status, headers.get("x-amz-bucket-region", ""))


def call(service: str, method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None,
         region_name: str | None = None) -> tuple[dict[str, str], bytes]:
    """A request signed with the ambient credentials: (response headers, body); AWS's errors raise AWSError."""
    region_name = region_name or region()
    status, response_headers, data = send(method, url, sign(method, url, dict(headers or {}), body, service,
                                                            region_name, credentials()), body)
    if status >= 300:
        raise error(status, response_headers, data)
    return response_headers, data


def s3_url(bucket: str, key: str, region_name: str, query: str = "") -> str:
    """Path-style at a custom endpoint (or for a bucket name with dots), virtual-hosted at AWS."""
    base, path = endpoint("s3", region_name), "/" + quote(key, "/-_.~")
    if os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or "." in bucket:
        return f"{base}/{bucket}{path}" + (f"?{query}" if query else "")
    scheme, host = base.split("://", 1)
    return f"{scheme}://{bucket}.{host}{path}" + (f"?{query}" if query else "")


def s3_call(bucket: str, method: str, key: str, query: str = "", body: bytes = b"",
            headers: dict[str, str] | None = None, region_name: str | None = None) -> tuple[dict[str, str], bytes]:
    """An S3 request; a bucket in another region than asked is followed there (the region S3 names)."""
    region_name = _bucket_regions.get(bucket) or region_name or region()
    try:
        return call("s3", method, s3_url(bucket, key, region_name, query), body, headers, region_name)
    except AWSError as exc:
        if not exc.region_hint or exc.region_hint == region_name:
            raise
        _bucket_regions[bucket] = exc.region_hint
        return call("s3", method, s3_url(bucket, key, exc.region_hint, query), body, headers, exc.region_hint)


_bucket_regions: dict[str, str] = {}


def s3_get(bucket: str, key: str) -> tuple[bytes, str]:
    """(content, ETag) of an object; a missing one raises AWSError ``NoSuchKey``."""
    headers, data = s3_call(bucket, "GET", key)
    return data, headers.get("etag", "")
