"""Keys and certificates on a machine, made with the image's ``openssl`` command (OpenSSL 3): machines run kops'
pure-Python code only (:mod:`kops.nodeup.bundle`), so nothing here imports ``cryptography``.

Certificates follow :mod:`kops.pki.certs` (upstream's usages, subjects with the organisation first, RSA 2048 keys
in the traditional ``RSA PRIVATE KEY`` form), except that OpenSSL 3.0's ``x509`` command cannot backdate, so a
certificate is valid from the moment it is issued. Secret material goes to the command through files in a
private temporary folder, removed at once.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kops.errors import KopsError

#: Extensions per upstream certificate type.
USAGES = {
    "client": ("digitalSignature", "clientAuth"),
    "server": ("digitalSignature,keyEncipherment", "serverAuth"),
    "clientServer": ("digitalSignature,keyEncipherment", "clientAuth,serverAuth"),
}
#: Ten years, as upstream issues the certificates a machine makes for itself.
DEFAULT_DAYS = 3650


def _openssl(*args: str, stdin: bytes | None = None) -> bytes:
    binary = shutil.which("openssl")
    if binary is None:
        raise KopsError("openssl is not installed on this machine; kops makes keys and certificates with it")
    done = subprocess.run([binary, *args], input=stdin, capture_output=True)
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise KopsError(f"openssl {args[0]} failed: {reason[0] if reason else 'no reason given'}")
    return done.stdout


def generate_key() -> bytes:
    """A new RSA key (``KOPS_RSA_PRIVATE_KEY_SIZE`` bits, 2048 by default) as PKCS#1 PEM."""
    size = os.environ.get("KOPS_RSA_PRIVATE_KEY_SIZE", "2048")
    if not size.isdigit() or int(size) < 1024:
        raise KopsError(f"KOPS_RSA_PRIVATE_KEY_SIZE={size!r}: expected a key size in bits, at least 1024")
    return _openssl("genrsa", "-traditional", size)


def public_key(private_key: bytes) -> bytes:
    """The public half of a PEM private key, as a ``PUBLIC KEY`` (SubjectPublicKeyInfo) PEM."""
    with _private_folder() as folder:
        key = _write(folder, "key.pem", private_key)
        return _openssl("pkey", "-in", str(key), "-pubout")


def _subject(subject: str) -> str:
    """upstream's ``cn=NAME,o=GROUP`` as OpenSSL's ``/O=GROUP/CN=NAME`` (organisations first, as Go writes them)."""
    names: list[tuple[str, str]] = []
    for token in (t.strip() for t in subject.split(",") if t.strip()):
        key, sep, value = token.partition("=")
        if not sep or key.strip().lower() not in ("cn", "o") or not value:
            raise KopsError(f"certificate subject {subject!r}: expected cn=NAME and o=GROUP pairs, got {token!r}")
        names.append((key.strip().upper(), value))
    names.sort(key=lambda n: n[0] != "O")
    return "".join(f"/{k}={v.replace('/', chr(92) + '/')}" for k, v in names)


def _alternative_names(sans: list[str]) -> str:
    out = []
    for san in (s.strip() for s in sans if s.strip()):
        try:
            out.append(f"IP:{ipaddress.ip_address(san)}")
        except ValueError:
            out.append(f"DNS:{san}")
    return ",".join(out)


def sign(ca_certificate: bytes, ca_key: bytes, public_key_pem: bytes, subject: str, usage: str = "client",
         sans: list[str] | None = None, days: int = DEFAULT_DAYS) -> bytes:
    """A certificate for ``public_key_pem`` signed by the CA: ``subject`` in upstream's ``cn=...,o=...`` notation,
    ``usage`` an upstream type (``client``, ``server``, ``clientServer``), ``sans`` DNS names and IP addresses."""
    if usage not in USAGES:
        raise KopsError(f"certificate usage {usage!r}: expected one of {', '.join(USAGES)}")
    key_usage, extended = USAGES[usage]
    lines = ["[leaf]", "basicConstraints=critical,CA:FALSE", f"keyUsage=critical,{key_usage}",
             f"extendedKeyUsage={extended}", "authorityKeyIdentifier=keyid"]
    names = _alternative_names(sans or [])
    if names:
        lines.append(f"subjectAltName={names}")
    with _private_folder() as folder:
        args = ["x509", "-new", "-force_pubkey", str(_write(folder, "public.pem", public_key_pem)),
                "-subj", _subject(subject), "-CA", str(_write(folder, "ca.crt", _first_certificate(ca_certificate))),
                "-CAkey", str(_write(folder, "ca.key", ca_key)), "-set_serial", f"0x{secrets.randbits(127) + 1:x}",
                "-days", str(days), "-sha256", "-extfile", str(_write(folder, "leaf.cnf", "\n".join(lines).encode())),
                "-extensions", "leaf"]
        return _openssl(*args)


def issue(ca_certificate: bytes, ca_key: bytes, subject: str, usage: str = "client",
          sans: list[str] | None = None, days: int = DEFAULT_DAYS) -> tuple[bytes, bytes]:
    """A new key and its certificate signed by the CA: (certificate PEM, key PEM)."""
    key = generate_key()
    return sign(ca_certificate, ca_key, public_key(key), subject, usage, sans, days), key


def common_name(certificate: bytes) -> str:
    """The CN of a PEM certificate's subject."""
    with _private_folder() as folder:
        out = _openssl("x509", "-in", str(_write(folder, "cert.pem", certificate)), "-noout", "-subject",
                       "-nameopt", "RFC2253").decode().strip().removeprefix("subject=")
    for part in out.split(","):
        key, _, value = part.partition("=")
        if key.strip() == "CN":
            return value
    raise KopsError("the certificate's subject has no CN")


def _first_certificate(bundle: bytes) -> bytes:
    end = b"-----END CERTIFICATE-----"
    return bundle[: bundle.index(end) + len(end)] + b"\n" if end in bundle else bundle


@contextlib.contextmanager
def _private_folder() -> Iterator[Path]:
    """A folder only the owner can read (``mkdtemp`` makes it 0700), removed with what it holds."""
    with tempfile.TemporaryDirectory(prefix="kops-pki-") as name:
        yield Path(name)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path
