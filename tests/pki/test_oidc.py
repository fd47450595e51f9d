"""The service-account issuer's discovery documents: upstream's layout, the keyset's public keys only (each named by
the SHA-256 of its DER public key, sorted by name), distrusted keys left out, and where they are published."""

from __future__ import annotations

import base64
import hashlib
import json
from types import SimpleNamespace

from cryptography.hazmat.primitives import serialization
from kops.pki import Keystore, new_ca_keyset
from kops.pki.certs import self_signed_ca
from kops.pki.oidc import discovery_document, jwks_document, published_files
from kops.state import open_store

ISSUER = "https://discovery.example.com/minimal.example.com"


def test_discovery_document_is_upstreams() -> None:
    text = discovery_document(ISSUER).decode()
    # Upstream's layout: one item per line, no indentation.
    assert text.splitlines()[:3] == ["{", f'"issuer": "{ISSUER}",', f'"jwks_uri": "{ISSUER}/openid/v1/jwks",']
    assert json.loads(text) == {
        "issuer": ISSUER, "jwks_uri": ISSUER + "/openid/v1/jwks",
        "authorization_endpoint": "urn:kubernetes:programmatic_authorization",
        "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "claims_supported": ["sub", "iss"]}


def kid(cert) -> str:
    der = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def test_keys_are_the_trusted_public_keys_of_the_keyset() -> None:
    keyset = new_ca_keyset("service-account")
    cert, key = self_signed_ca("cn=service-account")
    staged = keyset.add(cert, key, primary=False)
    old_cert, old_key = self_signed_ca("cn=service-account")
    old = keyset.add(old_cert, old_key, primary=False)
    keyset.distrust([old.id])
    text = jwks_document(keyset)
    keys = json.loads(text)["keys"]
    trusted = [keyset.primary.certificate, staged.certificate]
    assert [k["kid"] for k in keys] == sorted(kid(c) for c in trusted)
    for k in keys:
        assert list(k) == ["use", "kty", "kid", "alg", "n", "e"]
        assert (k["use"], k["kty"], k["alg"], k["e"]) == ("sig", "RSA", "RS256", "AQAB")
        cert = next(c for c in trusted if kid(c) == k["kid"])
        n = int.from_bytes(base64.urlsafe_b64decode(k["n"] + "=" * (-len(k["n"]) % 4)), "big")
        assert n == cert.public_key().public_numbers().n
    assert b"PRIVATE" not in text and b'"d"' not in text
    assert json.loads(jwks_document(None)) == {"keys": []}


def test_documents_are_published_under_the_discovery_store(tmp_path) -> None:
    state = f"memfs://oidc-{tmp_path.name}"
    Keystore(open_store(state), "minimal.example.com").save(new_ca_keyset("service-account"))
    spec = SimpleNamespace(
        serviceAccountIssuerDiscovery=SimpleNamespace(discoveryStore="s3://bucket/minimal.example.com/"),
        kubeAPIServer=SimpleNamespace(serviceAccountIssuer=ISSUER))
    model = SimpleNamespace(cluster=SimpleNamespace(spec=spec), cluster_name="minimal.example.com", state_url=state,
                            target="direct")
    files = {f.name: f for f in published_files(model)}
    assert files["discovery.json"].url == "s3://bucket/minimal.example.com/.well-known/openid-configuration"
    assert files["keys.json"].url == "s3://bucket/minimal.example.com/openid/v1/jwks"
    assert len(json.loads(files["keys.json"].content)["keys"]) == 1
    spec.serviceAccountIssuerDiscovery.discoveryStore = None
    assert published_files(model) == []
