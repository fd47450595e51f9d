"""Issuing certificates from a keyset's primary CA keypair (admin credentials, server certificates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from cryptography import x509
from kops.errors import KopsError
from kops.pki import certs
from kops.pki.keyset import Keyset


@dataclass(frozen=True)
class IssuedCertificate:
    certificate: x509.Certificate
    private_key: certs.PrivateKey = field(repr=False)

    @property
    def certificate_pem(self) -> bytes:
        return certs.certificate_pem(self.certificate)

    @property
    def private_key_pem(self) -> bytes:
        return certs.private_key_pem(self.private_key)


def issue_certificate(ca_keyset: Keyset, subject: str | x509.Name, usages: str = "client",
                      sans: list[str] | None = None, lifetime: timedelta | None = None,
                      private_key: certs.PrivateKey | None = None) -> IssuedCertificate:
    """Sign a new certificate with the keyset's primary keypair.

    ``subject`` is upstream's ``cn=NAME,o=GROUP`` notation or an ``x509.Name``; ``usages`` an upstream
    certificate type (``client``, ``server``, ``clientServer``) or usage list; ``sans`` DNS names and IP
    addresses; ``lifetime`` defaults to ten years. A new key is generated unless ``private_key`` is given.
    """
    parsed = certs.parse_usages(usages)
    if parsed.is_ca:
        raise KopsError(f"keyset {ca_keyset.name}: issue_certificate signs leaf certificates; "
                        "create CAs with kops.pki.new_ca_keyset")
    signer = ca_keyset.primary
    if signer.private_key is None or signer.certificate is None:
        raise KopsError(f"keyset {ca_keyset.name}: its primary keypair has no private key; cannot issue certificates")
    if lifetime is not None and lifetime <= timedelta(0):
        raise KopsError(f"certificate lifetime must be positive, got {lifetime}")
    key = private_key or certs.generate_private_key()
    cert = certs.sign_certificate(certs.parse_subject(subject), key.public_key(), parsed,
                                  signer_cert=signer.certificate, signer_key=signer.private_key, sans=sans,
                                  lifetime=lifetime)
    return IssuedCertificate(cert, key)
