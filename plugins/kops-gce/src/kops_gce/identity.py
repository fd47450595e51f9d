"""How a GCE instance proves who it is to the node credential service, and how the service checks it.

The machine asks its metadata server for an identity token of its service account
(``instance/service-accounts/default/identity`` with ``format=full``): a JWT signed by Google (RS256) whose
``google.compute_engine`` claims name the instance's project, zone, ID and name. Its audience binds the request:
``kops-controller/<hex SHA-256 of the body>``. The ``Authorization`` header is ``x-gce-id-token <JWT>``.
:func:`proof` uses the standard library alone (it runs on machines without an SDK); ``GCE_METADATA_HOST``
(``HOST:PORT``) moves the metadata server, as Google's own libraries read it.

The service checks the signature against Google's published keys (``https://www.googleapis.com/oauth2/v3/certs``,
a JSON Web Key Set; :data:`CERTS_URL_VARIABLE` moves it), the issuer, the audience, the expiry and that the token
was issued within the last five minutes; then the claims: the cluster's project, a zone of its region. Then it asks
Compute for the instance the token names: it must exist with that ID, be running, carry the cluster's label, the
``k8s-io-instance-group`` label of the group it claims and a ``k8s-io-role-<role>`` label of that group's role.
The node's name is the instance's name (GCE's kubelets register by it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
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
TIMEOUT = 10
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
        self._url, self._keys, self._expires, self._fetched = "", {}, 0.0, 0.0

    def key(self, kid: str) -> Any:
        """The public key with that ID, or None when the URL does not publish it."""
        url = (os.environ.get(CERTS_URL_VARIABLE) or "").strip() or GOOGLE_CERTS_URL
        with self._lock:
            now = time.monotonic()
            stale = url != self._url or now >= self._expires
            if stale or (kid not in self._keys and now - self._fetched >= CERTS_REFETCH):
                self._keys, max_age = _fetch_keys(url)
                self._url, self._fetched, self._expires = url, now, now + max_age
            return self._keys.get(kid)


def _fetch_keys(url: str) -> tuple[dict[str, Any], float]:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

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
            keys[str(jwk["kid"])] = RSAPublicNumbers(e, n).public_key()
        except (KeyError, ValueError, binascii.Error):
            continue
    if not keys:
        raise KopsError(f"cannot fetch Google's token-signing keys from {url}: it lists no RSA signing key")
    match = re.search(r"max-age=(\d+)", cache)
    return keys, float(match.group(1)) if match else float(CERTS_MAX_AGE)


KEYS = GoogleKeys()


def _check_signature(header: dict[str, Any], signed: bytes, signature: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    if header.get("alg") != "RS256":
        raise NodeIdentityRefused(f"the identity token is signed with {header.get('alg')!r}, not RS256")
    kid = header.get("kid")
    key = KEYS.key(kid) if isinstance(kid, str) and kid else None
    if key is None:
        raise NodeIdentityRefused(f"the identity token is signed with key {kid!r}, which Google does not publish")
    try:
        key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise NodeIdentityRefused(f"the identity token's signature does not verify with Google's key {kid} (forged "
                                  "or altered)") from None


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


_CLIENTS: dict[tuple[str, str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _instances_client(project: str, region: str) -> Any:
    """The Compute instances client for the cluster (one per project, region and endpoint)."""
    from kops_gce.api import GCE

    key = (project, region, os.environ.get("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE") or "")
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = GCE(project, region).compute("Instances")
        return _CLIENTS[key]


def _get_instance(project: str, region: str, zone: str, name: str) -> dict[str, Any] | None:
    """The instance, as a dict with snake_case fields, or None when Compute does not know it. Any other trouble
    asking is the service's, not the machine's: a :class:`KopsError` (the machine tries again)."""
    from google.api_core import exceptions

    from kops_gce.api import ERRORS, as_dict, not_found

    try:
        return as_dict(_instances_client(project, region).get(project=project, zone=zone, instance=name))
    except exceptions.GoogleAPIError as exc:
        if not_found(exc):
            return None
        reason = ERRORS.explain(exc) or getattr(exc, "message", None) or str(exc)
        raise KopsError(f"cannot ask Compute about instance {name} in {zone}: {reason}".splitlines()[0]) from None
    except Exception as exc:
        where = ERRORS.unreachable(exc)
        if where is None:
            raise
        raise KopsError(f"cannot ask Compute about instance {name} in {zone}: {where} did not answer") from None


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
    instance = _owned_running(_get_instance(project, region, engine["zone"], engine["instance_name"]), where, name)
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
    nics = instance.get("network_interfaces") or []
    if nics:
        addresses += [str(nics[0].get(f)) for f in ("network_i_p", "ipv6_address") if nics[0].get(f)]
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
        instance = _owned_running(_get_instance(project, region, zone, match.group("name")), match.group("name"),
                                  cluster["metadata"]["name"])
    except NodeIdentityRefused:
        return None
    group = (instance.get("labels") or {}).get(INSTANCE_GROUP_LABEL, "")
    return _identity(instance, project, zone, group) if group else None
