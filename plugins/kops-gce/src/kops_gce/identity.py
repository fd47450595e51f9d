"""How a GCE instance proves who it is to the node credential service, and how the service checks it.

The machine asks its metadata server for an identity token of its service account
(``instance/service-accounts/default/identity`` with ``format=full``): a JWT signed by Google (RS256) whose
``google.compute_engine`` claims name the instance's project, zone, ID and name. Its audience binds the request:
``kops-controller/<hex SHA-256 of the body>``. The ``Authorization`` header is ``x-gce-id-token <JWT>``.
``GCE_METADATA_HOST`` (``HOST:PORT``) moves the metadata server, as Google's own libraries read it.

The service checks the signature against Google's published keys (``https://www.googleapis.com/oauth2/v3/certs``,
a JSON Web Key Set; ``KOPS_GCE_ID_TOKEN_CERTS_URL`` moves it), the issuer, the audience, the expiry and that the
token was issued within the last five minutes; then the claims: the cluster's project, a zone of its region. Then
it asks Compute for the instance the token names: it must exist with that ID, be running, carry the cluster's label,
the ``k8s-io-instance-group`` label of the group it claims and ``k8s-io-role-<role>`` labels of that group's role
alone. The node's name is the instance's name (GCE's kubelets register by it).

Both sides use the standard library alone: the proof is made by ``kops nodeup`` and the service runs on
control-plane machines, both from the node bundle, which holds no SDK and nothing compiled. So the signature is
checked here (RSASSA-PKCS1-v1_5 with SHA-256, by comparing the whole encoded digest) and Compute is read over REST.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from kops.cloud import NodeIdentity, NodeIdentityRefused
from kops.errors import KopsError
from kops.model import BASTION, CONTROL_PLANE, role_of

from kops_gce.cloud import zone_region
from kops_gce.labels import (
    CLUSTER_LABEL,
    INSTANCE_GROUP_LABEL,
    ROLE_LABEL_PREFIX,
    cluster_label_value,
    label_value,
    owned,
)

#: The scheme word of the ``Authorization`` header.
TOKEN_PREFIX = "x-gce-id-token "
#: The audience of a token made for a request: this and the hex SHA-256 of the request's body.
AUDIENCE_PREFIX = "kops-controller/"
#: Where the metadata server is (``HOST[:PORT]``), as Google's libraries read it.
METADATA_HOST_VARIABLE = "GCE_METADATA_HOST"
METADATA_HOST = "metadata.google.internal"
IDENTITY_PATH = "/computeMetadata/v1/instance/service-accounts/default/identity"
#: Google's keys for the identity tokens it signs, as a JSON Web Key Set.
GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v3/certs"
#: Moves :data:`GOOGLE_CERTS_URL` (for a stand-in of Google's token signer).
CERTS_URL_VARIABLE = "KOPS_GCE_ID_TOKEN_CERTS_URL"
ISSUER = "https://accounts.google.com"
#: A token issued longer ago than this (or this far in the future, by a wrong clock) is refused: five minutes.
MAX_AGE = 300
#: How long Google's keys are kept when its answer does not say (seconds); an unknown key ID refetches them, at
#: most this often.
CERTS_MAX_AGE, CERTS_REFETCH = 300, 30
#: Keys shorter than this are not taken from the key set.
MIN_KEY_BITS = 2048
#: The DER prefix of a SHA-256 ``DigestInfo`` (RFC 8017, 9.2).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
TIMEOUT = 10
#: The machine's service account's access token (for the service's Compute calls).
TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"
COMPUTE_API = "https://compute.googleapis.com/compute/v1/"
COMPUTE_ENDPOINT_VARIABLE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"
DISABLE_CREDENTIALS_VARIABLE = "CLOUDSDK_AUTH_DISABLE_CREDENTIALS"
COMPUTE_READ_SCOPE = "https://www.googleapis.com/auth/compute.readonly"
#: What an instance's ``k8s-io-role-<word>`` label says about its role (upstream also marks control-plane
#: machines ``k8s-io-role-master``).
ROLE_LABELS = {"control-plane": CONTROL_PLANE, "master": CONTROL_PLANE, "apiserver": "APIServer", "node": "Node",
               "bastion": BASTION}
_PROVIDER_ID = re.compile(r"^gce://(?P<project>[^/]+)/(?P<zone>[^/]+)/(?P<name>[^/]+)$")


def audience(body: bytes) -> str:
    """The audience a token for a request with ``body`` is asked for."""
    return AUDIENCE_PREFIX + hashlib.sha256(body).hexdigest()


# --- on the machine ---------------------------------------------------------------------------------------


def proof(body: bytes) -> str:
    """The ``Authorization`` header of a bootstrap request with ``body``: an identity token from this instance's
    metadata server, for the body's audience."""
    host = (os.environ.get(METADATA_HOST_VARIABLE) or "").strip() or METADATA_HOST
    query = urllib.parse.urlencode({"audience": audience(body), "format": "full"})
    request = urllib.request.Request(f"http://{host}{IDENTITY_PATH}?{query}", headers={"Metadata-Flavor": "Google"})
    failed = "cannot prove who this machine is to the node credential service"
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            token = response.read().decode(errors="replace").strip()
    except urllib.error.HTTPError as exc:
        lines = exc.read().decode(errors="replace").strip().splitlines()
        raise KopsError(f"{failed}: the metadata server at {host} answered HTTP {exc.code}"
                        f"{': ' + lines[0] if lines else ''}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise KopsError(f"{failed}: the metadata server at {host} did not answer ({getattr(exc, 'reason', exc)}); "
                        "is this a GCE instance?") from None
    if token.count(".") != 2 or any(c.isspace() for c in token):
        raise KopsError(f"{failed}: the metadata server at {host} answered something that is not an identity token")
    return TOKEN_PREFIX + token


# --- in the node credential service ---------------------------------------------------------------------


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _decode(authorization: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, claims, signed bytes, signature) of the token in the header, unverified."""
    if not authorization.startswith(TOKEN_PREFIX):
        raise NodeIdentityRefused("the Authorization header is not an x-gce-id-token proof")
    parts = authorization[len(TOKEN_PREFIX):].strip().split(".")
    if len(parts) != 3:
        raise NodeIdentityRefused("the x-gce-id-token proof is not a JSON Web Token")
    try:
        header, claims = json.loads(_b64url(parts[0])), json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except (binascii.Error, ValueError):
        raise NodeIdentityRefused("the x-gce-id-token proof is not a JSON Web Token") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise NodeIdentityRefused("the x-gce-id-token proof is not a JSON Web Token")
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


class GoogleKeys:
    """Google's token-signing keys by key ID, fetched from the certificates URL and kept as long as its answer's
    ``Cache-Control: max-age`` says."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url, self._expires, self._fetched = "", 0.0, 0.0
        self._keys: dict[str, tuple[int, int]] = {}

    def key(self, kid: str) -> tuple[int, int] | None:
        """The public key with that ID, or None when the URL does not publish it."""
        url = (os.environ.get(CERTS_URL_VARIABLE) or "").strip() or GOOGLE_CERTS_URL
        with self._lock:
            now = time.monotonic()
            stale = url != self._url or now >= self._expires
            if stale or (kid not in self._keys and now - self._fetched >= CERTS_REFETCH):
                self._keys, max_age = _fetch_keys(url)
                self._url, self._fetched, self._expires = url, now, now + max_age
            return self._keys.get(kid)


def _fetch_keys(url: str) -> tuple[dict[str, tuple[int, int]], float]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=TIMEOUT) as response:
            document = json.loads(response.read())
            cache = response.headers.get("Cache-Control") or ""
    except urllib.error.HTTPError as exc:
        raise KopsError(f"cannot fetch Google's token-signing keys from {url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise KopsError(f"cannot fetch Google's token-signing keys from {url}: {getattr(exc, 'reason', exc)}") \
            from None
    except ValueError:
        raise KopsError(f"cannot fetch Google's token-signing keys from {url}: the answer is not JSON") from None
    keys = {}
    for jwk in (document.get("keys") if isinstance(document, dict) else None) or []:
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid") or jwk.get("use", "sig") != "sig":
            continue
        try:
            n, e = (int.from_bytes(_b64url(str(jwk[f])), "big") for f in ("n", "e"))
        except (KeyError, ValueError, binascii.Error):
            continue
        if n.bit_length() >= MIN_KEY_BITS and e > 1:
            keys[str(jwk["kid"])] = (n, e)
    if not keys:
        raise KopsError(f"cannot fetch Google's token-signing keys from {url}: it lists no RSA signing key")
    match = re.search(r"max-age=(\d+)", cache)
    return keys, float(match.group(1)) if match else float(CERTS_MAX_AGE)


def rs256_valid(key: tuple[int, int], signed: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the RSASSA-PKCS1-v1_5 SHA-256 signature of ``signed`` by the public key ``(n, e)``:
    the signature is raised to ``e`` and compared whole with the encoding of the digest it must be (RFC 8017,
    8.2.2), so nothing in it is parsed."""
    n, e = key
    size = (n.bit_length() + 7) // 8
    if len(signature) != size or int.from_bytes(signature, "big") >= n:
        return False
    decoded = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    digest = _SHA256_DIGEST_INFO + hashlib.sha256(signed).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
    return hmac.compare_digest(decoded, expected)


KEYS = GoogleKeys()


def _check_signature(header: dict[str, Any], signed: bytes, signature: bytes) -> None:
    if header.get("alg") != "RS256":
        raise NodeIdentityRefused(f"the identity token is signed with {header.get('alg')!r}, not RS256")
    kid = header.get("kid")
    key = KEYS.key(kid) if isinstance(kid, str) and kid else None
    if key is None:
        raise NodeIdentityRefused(f"the identity token is signed with key {kid!r}, which Google does not publish")
    if not rs256_valid(key, signed, signature):
        raise NodeIdentityRefused(f"the identity token's signature does not verify with Google's key {kid} (forged "
                                  "or altered)")


def _check_claims(claims: dict[str, Any], body: bytes, now: float) -> dict[str, str]:
    """The token's ``google.compute_engine`` claims, once issuer, audience and times hold."""
    if claims.get("iss") != ISSUER:
        raise NodeIdentityRefused(f"the identity token is issued by {claims.get('iss')!r}, not {ISSUER}")
    if claims.get("aud") != audience(body):
        raise NodeIdentityRefused("the request's body is not the one the identity token was made for (tampered "
                                  "with, or the token belongs to another request)")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise NodeIdentityRefused("the identity token has no exp or iat")
    if now >= exp:
        raise NodeIdentityRefused(f"the identity token expired {int(now - exp)}s ago")
    if abs(now - iat) > MAX_AGE:
        when = f"{int(now - iat)}s ago" if now > iat else f"{int(iat - now)}s in the future"
        raise NodeIdentityRefused(f"the identity token was issued {when}, outside the five minutes a proof is good "
                                  "for (replayed, or the machine's clock is wrong)")
    engine = (claims.get("google") or {}).get("compute_engine") if isinstance(claims.get("google"), dict) else None
    fields = ("project_id", "zone", "instance_id", "instance_name")
    if not isinstance(engine, dict) or not all(isinstance(engine.get(f), str | int) and engine.get(f) for f in fields):
        raise NodeIdentityRefused("the identity token names no Compute Engine instance (not made by an instance "
                                  "with format=full)")
    return {f: str(engine[f]) for f in fields}


def cluster_region(cluster: dict[str, Any]) -> str:
    """The region of a completed cluster given as a tree: its subnets'."""
    for subnet in cluster["spec"].get("subnets") or []:
        if subnet.get("region"):
            return str(subnet["region"])
        if subnet.get("zone") and zone_region(str(subnet["zone"])):
            return str(zone_region(str(subnet["zone"])))
    raise KopsError(f"cluster {cluster['metadata']['name']}: no subnet names a region")


def _project(cluster: dict[str, Any]) -> str:
    project = str(cluster["spec"].get("project") or "")
    if not project:
        raise KopsError(f"cluster {cluster['metadata']['name']}: spec.project is not set, so the node credential "
                        "service cannot tell the cluster's instances")
    return project


class ComputeReader:
    """Reads instances from the Compute REST API with the standard library (the service runs on control-plane
    machines without an SDK). The endpoint and credentials follow gcloud's variables, as
    :mod:`kops_gce.clients` describes: ``CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`` moves the API and
    ``CLOUDSDK_AUTH_DISABLE_CREDENTIALS`` sends no credentials. Otherwise the access token is the machine's service
    account's, from its metadata server, or, where google-auth is installed (a workstation), Application Default
    Credentials."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token, self._expires = "", 0.0
        self._google: Any = None

    def instance(self, project: str, zone: str, name: str) -> dict[str, Any] | None:
        """The instance as the API gives it (camelCase fields), or None when Compute does not know it. Other
        trouble asking is the service's, not the machine's: a :class:`KopsError` (the machine tries again)."""
        path = "/".join(urllib.parse.quote(p, safe="") for p in ("projects", project, "zones", zone, "instances", name))
        url = _compute_base() + path
        failed = f"cannot ask Compute about instance {name} in {zone}"
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json", **self._authorization()})
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            message = _google_message(exc.read()) or str(exc.reason)
            hint = " (may the control plane's service account read instances?)" if exc.code in (401, 403) else ""
            raise KopsError(f"{failed}: HTTP {exc.code}: {message}{hint}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise KopsError(f"{failed}: {_compute_base()} did not answer ({getattr(exc, 'reason', exc)})") from None
        except ValueError:
            raise KopsError(f"{failed}: the answer is not JSON") from None

    def _authorization(self) -> dict[str, str]:
        if (os.environ.get(DISABLE_CREDENTIALS_VARIABLE) or "").strip().lower() in ("1", "true", "yes", "on"):
            return {}
        with self._lock:
            if not self._token or time.monotonic() >= self._expires:
                self._token, lifetime = self._new_token()
                self._expires = time.monotonic() + max(lifetime - 60, 0)
            return {"Authorization": f"Bearer {self._token}"}

    def _new_token(self) -> tuple[str, float]:
        try:
            import google.auth
            import google.auth.transport.requests
        except ImportError:
            return _metadata_access_token()
        try:
            if self._google is None:
                self._google, _ = google.auth.default(scopes=[COMPUTE_READ_SCOPE])
            self._google.refresh(google.auth.transport.requests.Request())
        except Exception as exc:  # google-auth's errors, whichever way credentials were looked for
            raise KopsError(f"no Google credentials to ask Compute with: {str(exc).splitlines()[0]}") from None
        expiry = getattr(self._google, "expiry", None)
        lifetime = (expiry.timestamp() - time.time()) if expiry is not None else 300.0
        return str(self._google.token), lifetime


def _compute_base() -> str:
    override = (os.environ.get(COMPUTE_ENDPOINT_VARIABLE) or "").strip()
    if not override:
        return COMPUTE_API
    return override if override.endswith("/") else override + "/"


def _google_message(body: bytes) -> str:
    try:
        error = json.loads(body).get("error")
        return str(error.get("message") or "").splitlines()[0] if isinstance(error, dict) else ""
    except (ValueError, AttributeError, IndexError):
        return ""


def _metadata_access_token() -> tuple[str, float]:
    """The machine's service account's access token and its lifetime, from the metadata server."""
    host = (os.environ.get(METADATA_HOST_VARIABLE) or "").strip() or METADATA_HOST
    request = urllib.request.Request(f"http://{host}{TOKEN_PATH}", headers={"Metadata-Flavor": "Google"})
    failed = f"no credentials to ask Compute with: the metadata server at {host}"
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = json.loads(response.read())
        return str(answer["access_token"]), float(answer.get("expires_in") or 300)
    except urllib.error.HTTPError as exc:
        raise KopsError(f"{failed} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise KopsError(f"{failed} did not answer ({getattr(exc, 'reason', exc)})") from None
    except (ValueError, KeyError, TypeError):
        raise KopsError(f"{failed} gave no access token") from None


COMPUTE = ComputeReader()


def _instance_roles(instance: dict[str, Any]) -> set[str]:
    labels = instance.get("labels") or {}
    return {ROLE_LABELS.get(k[len(ROLE_LABEL_PREFIX):], k[len(ROLE_LABEL_PREFIX):])
            for k in labels if k.startswith(ROLE_LABEL_PREFIX)}


def _owned_running(instance: dict[str, Any] | None, what: str, cluster_name: str) -> dict[str, Any]:
    if instance is None:
        raise NodeIdentityRefused(f"instance {what} does not exist")
    if instance.get("status") != "RUNNING":
        raise NodeIdentityRefused(f"instance {what} is {instance.get('status') or 'in no state'}, not RUNNING")
    if not owned(instance, cluster_name):
        raise NodeIdentityRefused(f"instance {what} does not belong to cluster {cluster_name} (it has no "
                                  f"{CLUSTER_LABEL}={cluster_label_value(cluster_name)} label)")
    return instance


def _role_word(role: str) -> str:
    return "control-plane machine" if role == CONTROL_PLANE else f"{role} machine"


def verify(cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str, body: bytes,
           instance_group: str, now: float | None = None) -> NodeIdentity:
    """See :meth:`kops.cloud.CloudProvider.verify_node_identity`."""
    name = cluster["metadata"]["name"]
    project, region = _project(cluster), cluster_region(cluster)
    header, claims, signed, signature = _decode(authorization)
    _check_signature(header, signed, signature)
    engine = _check_claims(claims, body, time.time() if now is None else now)
    where = f"{engine['instance_name']} ({engine['zone']})"
    if engine["project_id"] != project:
        raise NodeIdentityRefused(f"instance {where} is in project {engine['project_id']}, not cluster {name}'s "
                                  f"project {project}")
    if zone_region(engine["zone"]) != region:
        raise NodeIdentityRefused(f"instance {where} is in zone {engine['zone']}, outside cluster {name}'s region "
                                  f"{region}")
    group = groups.get(instance_group)
    if group is None:
        raise NodeIdentityRefused(f"instance {where} asks for instance group {instance_group!r}, which cluster "
                                  f"{name} does not have")
    if role_of(group) == BASTION:
        raise NodeIdentityRefused(f"instance {where} asks for instance group {instance_group}, a bastion group, "
                                  "whose machines are not nodes")
    instance = _owned_running(COMPUTE.instance(project, engine["zone"], engine["instance_name"]), where, name)
    if str(instance.get("id")) != engine["instance_id"]:
        raise NodeIdentityRefused(f"instance {where} has ID {instance.get('id')}, not the token's "
                                  f"{engine['instance_id']} (the instance the token was made on is gone)")
    roles, wanted = _instance_roles(instance), role_of(group)
    if roles != {wanted}:
        has = " and ".join(sorted(_role_word(r) for r in roles)) or "machine of no role"
        raise NodeIdentityRefused(f"instance {where} is labelled a {has} and may not ask for instance group "
                                  f"{instance_group}, a {_role_word(wanted)} group")
    labelled = (instance.get("labels") or {}).get(INSTANCE_GROUP_LABEL, "")
    if labelled != label_value(instance_group):
        raise NodeIdentityRefused(f"instance {where} is in instance group {labelled or '(none)'}, not "
                                  f"{instance_group}")
    return _identity(instance, engine["project_id"], engine["zone"], instance_group)


def _identity(instance: dict[str, Any], project: str, zone: str, group: str) -> NodeIdentity:
    name = str(instance["name"])
    addresses = [name, str(instance.get("hostname") or f"{name}.{zone}.c.{project}.internal")]
    nics = instance.get("networkInterfaces") or []
    if nics:
        addresses += [str(nics[0].get(f)) for f in ("networkIP", "ipv6Address") if nics[0].get(f)]
    return NodeIdentity(instance_id=str(instance.get("id") or name), instance_group=group, node_name=name,
                        addresses=tuple(dict.fromkeys(addresses)))


def identify(cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
    """See :meth:`kops.cloud.CloudProvider.identify_node`: ``gce://<project>/<zone>/<instance name>``."""
    match = _PROVIDER_ID.match(provider_id)
    if match is None:
        return None
    project, region = _project(cluster), cluster_region(cluster)
    zone = match.group("zone")
    if match.group("project") != project or zone_region(zone) != region:
        return None
    try:
        instance = _owned_running(COMPUTE.instance(project, zone, match.group("name")), match.group("name"),
                                  cluster["metadata"]["name"])
    except NodeIdentityRefused:
        return None
    group = (instance.get("labels") or {}).get(INSTANCE_GROUP_LABEL, "")
    return _identity(instance, project, zone, group) if group else None
