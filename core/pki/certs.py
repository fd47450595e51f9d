"""Private keys and X.509 certificates, made the way upstream kOps makes them.

Upstream's choices are kept so certificates from either tool look alike to the components that read them:
RSA 2048 keys (``KOPS_RSA_PRIVATE_KEY_SIZE`` overrides the size), PEM in the traditional OpenSSL form
(``RSA PRIVATE KEY`` / ``EC PRIVATE KEY``), validity starting 48 hours in the past to absorb clock skew,
ten years unless told otherwise, and serials for CA keypairs that grow with time so the newer keypair of a
keyset always has the higher ID.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kops.errors import KopsError

#: RSA key size used when generating keys, as upstream.
DEFAULT_RSA_KEY_SIZE = 2048
#: Certificates are valid from this long before they are issued (clock skew between machines).
BACKDATE = timedelta(hours=48)
#: Validity when none is asked for: ten years, as upstream.
DEFAULT_LIFETIME = timedelta(hours=10 * 365 * 24)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: Upstream's named certificate types and the usages each stands for.
CERTIFICATE_TYPES = {
    "ca": "CA,KeyUsageCRLSign,KeyUsageCertSign",
    "client": "ExtKeyUsageClientAuth,KeyUsageDigitalSignature",
    "clientServer": "ExtKeyUsageClientAuth,ExtKeyUsageServerAuth,KeyUsageDigitalSignature,KeyUsageKeyEncipherment",
    "server": "ExtKeyUsageServerAuth,KeyUsageDigitalSignature,KeyUsageKeyEncipherment",
}

_KEY_USAGES = {
    "KeyUsageDigitalSignature": "digital_signature",
    "KeyUsageContentCommitment": "content_commitment",
    "KeyUsageKeyEncipherment": "key_encipherment",
    "KeyUsageDataEncipherment": "data_encipherment",
    "KeyUsageKeyAgreement": "key_agreement",
    "KeyUsageCertSign": "key_cert_sign",
    "KeyUsageCRLSign": "crl_sign",
    "KeyUsageEncipherOnly": "encipher_only",
    "KeyUsageDecipherOnly": "decipher_only",
}

_EXT_KEY_USAGES = {
    "ExtKeyUsageAny": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    "ExtKeyUsageServerAuth": ExtendedKeyUsageOID.SERVER_AUTH,
    "ExtKeyUsageClientAuth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "ExtKeyUsageCodeSigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "ExtKeyUsageEmailProtection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "ExtKeyUsageTimeStamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "ExtKeyUsageOCSPSigning": ExtendedKeyUsageOID.OCSP_SIGNING,
}

_NAME_KEYS = {"cn": NameOID.COMMON_NAME, "o": NameOID.ORGANIZATION_NAME}


@dataclass(frozen=True)
class Usages:
    """What a certificate may be used for, decoded from an upstream type name or usage list."""

    is_ca: bool
    key_usage: frozenset[str]
    extended: tuple[x509.ObjectIdentifier, ...]


def parse_usages(spec: str) -> Usages:
    """``"client"``, ``"ca"``... or upstream's comma list (``"ExtKeyUsageClientAuth,KeyUsageDigitalSignature"``)."""
    expanded = CERTIFICATE_TYPES.get(spec, spec)
    is_ca = False
    key_usage: set[str] = set()
    extended: list[x509.ObjectIdentifier] = []
    for token in (t.strip() for t in expanded.split(",")):
        if token == "CA":
            is_ca = True
        elif token in _KEY_USAGES:
            key_usage.add(_KEY_USAGES[token])
        elif token in _EXT_KEY_USAGES:
            extended.append(_EXT_KEY_USAGES[token])
        else:
            known = ", ".join([*CERTIFICATE_TYPES, "CA", *_KEY_USAGES, *_EXT_KEY_USAGES])
            raise KopsError(f"certificate usage {token!r} is not known; use one of {known}")
    if not key_usage:  # upstream's default for a certificate that names none
        key_usage = {"digital_signature", "key_encipherment"}
    if not extended and not is_ca:
        extended = [ExtendedKeyUsageOID.SERVER_AUTH]
    return Usages(is_ca, frozenset(key_usage), tuple(extended))


def parse_subject(subject: str | x509.Name) -> x509.Name:
    """An ``x509.Name`` from upstream's ``cn=NAME,o=GROUP`` notation (``cn`` and ``o`` only, as upstream)."""
    if isinstance(subject, x509.Name):
        return subject
    attributes = []
    for token in (t.strip() for t in subject.split(",") if t.strip()):
        key, sep, value = token.partition("=")
        oid = _NAME_KEYS.get(key.strip().lower())
        if not sep or oid is None or not value:
            raise KopsError(f"certificate subject {subject!r}: expected cn=NAME and o=GROUP pairs, got {token!r}")
        attributes.append(x509.NameAttribute(oid, value))
    if not attributes:
        raise KopsError("certificate subject is empty; give at least cn=NAME")
    # Go encodes organisations before the common name whatever order they were given in; so do we.
    attributes.sort(key=lambda a: a.oid != NameOID.ORGANIZATION_NAME)
    return x509.Name(attributes)


def pki_serial() -> int:
    """A serial (and keyset ID) that grows with time: nanoseconds since the epoch, then 32 random bits."""
    return (time.time_ns() << 32) | secrets.randbits(32)


def _random_serial() -> int:
    return secrets.randbits(127) + 1


def generate_private_key() -> rsa.RSAPrivateKey:
    """A new RSA key of upstream's default size, or ``KOPS_RSA_PRIVATE_KEY_SIZE`` bits."""
    size_text = os.environ.get("KOPS_RSA_PRIVATE_KEY_SIZE", "")
    size = DEFAULT_RSA_KEY_SIZE
    if size_text:
        if not size_text.isdigit() or int(size_text) < 1024:
            raise KopsError(f"KOPS_RSA_PRIVATE_KEY_SIZE={size_text!r}: expected a key size in bits, at least 1024")
        size = int(size_text)
    return rsa.generate_private_key(public_exponent=65537, key_size=size)


def private_key_pem(key: PrivateKey) -> bytes:
    """The key as upstream writes it: PKCS#1 ``RSA PRIVATE KEY`` or SEC 1 ``EC PRIVATE KEY``."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def load_private_key(data: bytes, source: str, *, stored: bool = False) -> PrivateKey:
    """Parse a PEM private key (PKCS#1, SEC 1 or unencrypted PKCS#8); errors name ``source``, never the key.

    ``stored``: the key comes from the keystore, where it was checked when it was made or imported, so the costly
    RSA consistency checks (most of the time an update spends on its keysets) are not run again.
    """
    try:
        key = serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=stored)
    except TypeError:
        raise KopsError(f"{source}: the private key is encrypted; give it unencrypted") from None
    except (ValueError, UnsupportedAlgorithm):
        raise KopsError(f"{source}: not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KopsError(f"{source}: {type(key).__name__.removeprefix('_')} keys are not supported; use RSA or ECDSA")
    return key


def load_certificate(data: bytes, source: str) -> x509.Certificate:
    """The first certificate in PEM ``data``; errors name ``source``."""
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise KopsError(f"{source}: not a PEM certificate") from None
    return certs[0]


def public_key_matches(cert: x509.Certificate, key: PrivateKey) -> bool:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    return cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _hash_for(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384 | hashes.SHA512:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size > 256:
        return hashes.SHA512() if key.curve.key_size > 384 else hashes.SHA384()
    return hashes.SHA256()


def sign_certificate(subject: x509.Name, public_key: Any, usages: Usages, *, signer_cert: x509.Certificate | None,
                     signer_key: PrivateKey, sans: list[str] | None = None, lifetime: timedelta | None = None,
                     serial: int | None = None) -> x509.Certificate:
    """Sign a certificate for ``public_key``: self-signed when ``signer_cert`` is None, else by that CA."""
    now = datetime.now(UTC)
    issuer = signer_cert.subject if signer_cert is not None else subject
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer)
               .public_key(public_key)
               .serial_number(serial if serial is not None else _random_serial())
               .not_valid_before(now - BACKDATE)
               .not_valid_after(now + (lifetime or DEFAULT_LIFETIME))
               .add_extension(x509.BasicConstraints(ca=usages.is_ca, path_length=None), critical=True)
               .add_extension(_key_usage(usages.key_usage), critical=True))
    if usages.extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(usages.extended)), critical=False)
    if usages.is_ca:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    if signer_cert is not None:
        try:
            ski = signer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                                            critical=False)
        except x509.ExtensionNotFound:
            pass
    names = _subject_alternative_names(sans or [])
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer_key, _hash_for(signer_key))


def _key_usage(names: frozenset[str]) -> x509.KeyUsage:
    flags = {field: field in names for field in _KEY_USAGES.values()}
    return x509.KeyUsage(**flags)


def _subject_alternative_names(sans: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for san in (s.strip() for s in sans):
        if not san:
            continue
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(san)))
        except ValueError:
            out.append(x509.DNSName(san))
    return out


def self_signed_ca(subject: str | x509.Name, key: PrivateKey | None = None, serial: int | None = None,
                   lifetime: timedelta | None = None) -> tuple[x509.Certificate, PrivateKey]:
    """A new CA certificate (and key, unless one is given), as upstream's keypair task makes them."""
    key = key or generate_private_key()
    cert = sign_certificate(parse_subject(subject), key.public_key(), parse_usages("ca"), signer_cert=None,
                            signer_key=key, lifetime=lifetime, serial=serial if serial is not None else pki_serial())
    return cert, key

