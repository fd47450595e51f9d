"""The service-account issuer's OpenID Connect discovery documents, published in ``serviceAccountIssuerDiscovery``'s
discovery store so that anyone (a cloud's IAM, above all) can check the tokens the API server signs.

Two documents, at upstream's paths under the store, with upstream's content and layout:

- ``.well-known/openid-configuration`` (``discovery.json``): the issuer, where its keys are, and what it signs;
- ``openid/v1/jwks`` (``keys.json``): the public keys of the cluster's ``service-account`` keyset (each keypair
  not distrusted whose certificate is ``cn=service-account``), as RSA JSON Web Keys named by the SHA-256 of
  their DER public key, sorted by that name.

Only public keys are written: no private key of the keyset ever leaves the keystore through here. The store
is written by the cloud plugin that owns its scheme (kops-aws for ``s3://``), publicly readable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from kops.errors import KopsError

log = logging.getLogger(__name__)

#: Where the documents live, relative to the discovery store.
DISCOVERY_PATH = ".well-known/openid-configuration"
JWKS_PATH = "openid/v1/jwks"


@dataclass
class PublishedFile:
    """A document to publish at ``url``, an absolute location in the discovery store (``s3://bucket/key``)."""

    #: Upstream's name for it (``discovery.json``, ``keys.json``): the name of its task.
    name: str
    url: str
    content: bytes


def discovery_document(issuer: str) -> bytes:
    """The OpenID provider configuration of ``issuer`` (an ``https://`` URL)."""
    return _dump({
        "issuer": issuer,
        "jwks_uri": f"{issuer}/{JWKS_PATH}",
        "authorization_endpoint": "urn:kubernetes:programmatic_authorization",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss"],
    })


def jwks_document(keyset: Any) -> bytes:
    """The JSON Web Key Set of a ``service-account`` :class:`kops.pki.Keyset` (None: no keys yet)."""
    keys = []
    for item in keyset.ordered() if keyset is not None else []:
        if item.distrusted or item.certificate is None or _common_name(item.certificate) != "service-account":
            continue
        keys.append(_jwk(item.certificate.public_key()))
    return _dump({"keys": sorted(keys, key=lambda k: k["kid"])})


def _jwk(public_key: Any) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(public_key, rsa.RSAPublicKey):
        raise KopsError("keyset service-account: only RSA keys can sign service-account tokens for OIDC")
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    numbers = public_key.public_numbers()
    return {"use": "sig", "kty": "RSA", "kid": _b64(hashlib.sha256(der).digest()), "alg": "RS256",
            "n": _b64(_unsigned(numbers.n)), "e": _b64(_unsigned(numbers.e))}


def _unsigned(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _common_name(cert: Any) -> str:
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _dump(value: Any) -> bytes:
    """JSON as upstream writes these documents: one item per line, no indentation."""
    return json.dumps(value, indent=0).encode()


def published_files(model: Any) -> list[PublishedFile]:
    """The discovery documents of ``model``'s cluster (a :class:`kops.model.ModelContext`), at their locations in
    the discovery store; ``[]`` when the cluster has no discovery store.

    The keys are read from the state store's keystore. ``kops update cluster`` creates the keyset before the
    model is built when it applies or writes Terraform; a dry run of a new cluster previews an empty key set.
    """
    spec = model.cluster.spec
    discovery = spec.serviceAccountIssuerDiscovery
    store = str((discovery.discoveryStore if discovery is not None else None) or "").rstrip("/")
    if not store:
        return []
    issuer = spec.kubeAPIServer.serviceAccountIssuer if spec.kubeAPIServer is not None else None
    if not issuer:
        raise KopsError(f"spec.serviceAccountIssuerDiscovery.discoveryStore: the public address of {store} is not "
                        "known: set spec.kubeAPIServer.serviceAccountIssuer")
    return [PublishedFile("discovery.json", f"{store}/{DISCOVERY_PATH}", discovery_document(issuer)),
            PublishedFile("keys.json", f"{store}/{JWKS_PATH}", jwks_document(_service_account_keyset(model)))]


def _service_account_keyset(model: Any) -> Any:
    from kops.pki.cluster import SERVICE_ACCOUNT
    from kops.pki.keystore import Keystore
    from kops.state import open_store

    try:
        return Keystore(open_store(model.state_url), model.cluster_name).find(SERVICE_ACCOUNT)
    except KopsError as exc:
        if model.target != "dryrun":
            raise
        log.warning("previewing the service-account issuer's keys without the keystore: %s", exc)
        return None
