"""Keypair commands for rotating a cluster's CAs: ``create keypair``, ``get keypairs``, ``promote``, ``distrust``
and ``trust``.

A rotation, as upstream: ``kops create keypair kubernetes-ca`` stages a new CA beside the primary (every
trust bundle now holds both); once all machines have the bundle, ``kops promote keypair kubernetes-ca``
makes it the one that signs; once every certificate has been reissued, ``kops distrust keypair
kubernetes-ca`` drops the old CA from the bundles (``kops trust keypair`` takes one back). ``all`` (or, for promote and distrust, no keyset at
all) applies a step to every rotatable keyset at once, in one atomic change.

Key material is never printed: listings show IDs, dates and states only.
"""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup, bool_flag
from kops.cli.settings import Settings, global_options

_OUTPUT = click.option("-o", "--output", type=click.Choice(["table", "yaml", "json"], case_sensitive=False),
                       default="table", help="Output format.")


def _keystore(settings: Settings) -> Any:
    """The keystore of the cluster named by ``--name``; a missing cluster is an error."""
    from kops.cli.specs import registry
    from kops.pki import Keystore
    from kops.registry import ClusterNotFound

    name = settings.cluster_name(required=False)
    if not name:
        raise click.UsageError("no cluster name: give --name or set KOPS_CLUSTER_NAME")
    reg = registry(settings)
    if not reg.exists(name):
        raise ClusterNotFound(f"cluster {name!r} not found in {reg.store.url}")
    return Keystore(reg.store, name)


def _rotatable(keystore: Any, keyset: str | None, verb: str) -> list[Any]:
    """The keysets a rotation step applies to: the one named, or every rotatable one for ``all``/none."""
    from kops.errors import KopsError
    from kops.pki import is_rotatable

    if keyset and keyset != "all":
        if not is_rotatable(keyset):
            raise KopsError(f"{verb} keypairs of keyset {keyset!r} is not supported: only CA keysets (*-ca*) "
                            "and service-account rotate")
        return [keystore.get(keyset)]
    keysets = [k for name, k in sorted(keystore.list().items()) if is_rotatable(name)]
    if not keysets:
        raise KopsError(f"cluster {keystore.cluster!r} has no keysets yet; kops update cluster creates them")
    return keysets


# --- create keypair --------------------------------------------------------------------------------------


@click.command("keypair", cls=KopsCommand)
@click.argument("keyset", metavar="{KEYSET | all}")
@click.option("--cert", "cert_path", type=click.Path(dir_okay=False), help="Path to a CA certificate (PEM).")
@click.option("--key", "key_path", type=click.Path(dir_okay=False), help="Path to the CA's private key (PEM).")
@bool_flag("--primary", "Make the keypair the one used to issue certificates.", default=False)
@global_options
@click.pass_obj
def create_keypair(settings: Settings, keyset: str, cert_path: str | None, key_path: str | None,
                   primary: bool) -> None:
    """Add a CA certificate and private key to a keyset.

    With neither --cert nor --key, a new CA is generated; with --key alone, a CA certificate is made for
    that key; with --cert alone, the certificate is trusted but can never sign. A new keypair is staged
    (see kops promote keypair) unless --primary. KEYSET "all" stages a new keypair in every rotatable keyset.

    \b
    kops create keypair kubernetes-ca --name k8s.example.com
    kops create keypair kubernetes-ca --cert ca.pem --key ca-key.pem --primary --name k8s.example.com
    """
    from kops.errors import KopsError
    from kops.pki import Keyset, is_rotatable

    if keyset == "all":
        for flag, value in (("--cert", cert_path), ("--key", key_path), ("--primary", primary)):
            if value:
                raise click.UsageError(f"{flag} cannot be used with \"all\"")
    elif not is_rotatable(keyset):
        raise KopsError(f"adding keypairs to keyset {keyset!r} is not supported: only CA keysets (*-ca*) and "
                        "service-account rotate")
    material = _read_material(cert_path, key_path)
    keystore = _keystore(settings)
    if keyset == "all":
        targets = _rotatable(keystore, None, "adding")
    else:
        existing = keystore.find(keyset)
        if existing is None and not primary:
            raise KopsError(f"keyset {keyset!r} does not exist in cluster {keystore.cluster!r} yet; the first "
                            "keypair added to a keyset must be primary: add --primary")
        targets = [existing or Keyset(keyset)]
    added = [(k.name, k.add(*_new_keypair(k.name, material), primary=primary)) for k in targets]
    keystore.save(*targets)
    if cert_path:
        click.echo(f"using user provided cert: {cert_path}")
    if key_path:
        click.echo(f"using user provided private key: {key_path}")
    for name, item in added:
        click.echo(f"Created {name} {item.id}")


def _read_material(cert_path: str | None, key_path: str | None) -> tuple[Any, Any]:
    """The certificate and key from ``--cert``/``--key``, checked to be a CA and to belong together."""
    from pathlib import Path

    from kops.errors import KopsError
    from kops.pki import certs

    def read(flag: str, path: str) -> bytes:
        try:
            return Path(path).expanduser().read_bytes()
        except OSError as exc:
            raise KopsError(f"{flag} {path}: cannot read it: {exc.strerror}") from None

    key = certs.load_private_key(read("--key", key_path), f"--key {key_path}") if key_path else None
    cert = certs.load_certificate(read("--cert", cert_path), f"--cert {cert_path}") if cert_path else None
    if cert is not None:
        if not certs.is_ca(cert):
            raise KopsError(f"--cert {cert_path}: not a CA certificate (basicConstraints CA:TRUE is missing)")
        if key is not None and not certs.public_key_matches(cert, key):
            raise KopsError(f"--key {key_path}: does not match the public key of --cert {cert_path}")
    return cert, key


def _new_keypair(name: str, material: tuple[Any, Any]) -> tuple[Any, Any]:
    """The given certificate and key, completed as upstream does: a new key and/or a self-signed CA for it."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    from kops.pki import certs

    cert, key = material
    if cert is not None:
        return cert, key
    serial = certs.pki_serial()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.SERIAL_NUMBER, str(serial))])
    return certs.self_signed_ca(subject, key=key, serial=serial)


# --- get keypairs ----------------------------------------------------------------------------------------


@click.command("keypairs", cls=KopsCommand)
@click.argument("keysets", nargs=-1, metavar="[KEYSET]...")
@bool_flag("--distrusted", "Include distrusted keypairs.", default=False)
@_OUTPUT
@global_options
@click.pass_obj
def get_keypairs(settings: Settings, keysets: tuple[str, ...], distrusted: bool, output: str) -> None:
    """List the keypairs of a cluster's keysets (never their private keys)."""
    from kops.cli.table import print_records
    from kops.errors import KopsError

    keystore = _keystore(settings)
    found = keystore.list()
    for name in keysets:
        if name not in found:
            raise KopsError(f"keyset {name!r} not found in cluster {keystore.cluster!r}")
    rows = [_describe(keyset, item) for name, keyset in sorted(found.items()) if not keysets or name in keysets
            for item in keyset.ordered() if distrusted or (not item.distrusted and item.certificate is not None)]
    if not rows:
        raise KopsError(f"no keypairs found in cluster {keystore.cluster!r}")
    print_records(rows, output, ["KEYSET", "ID", "ISSUED", "EXPIRES", "STATE", "HASPRIVATE"],
                  lambda r: [r["name"], r["id"], _day(r.get("notBefore")), _day(r.get("notAfter")), r["state"],
                             "*" if r["hasPrivateKey"] else ""])


def _describe(keyset: Any, item: Any) -> dict[str, Any]:
    """Upstream's listing fields for one keypair, plus its rotation state; public facts only."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509 import DNSName, ExtensionNotFound, IPAddress, RFC822Name, SubjectAlternativeName
    from cryptography.x509.oid import NameOID
    from kops.pki import certs

    name_labels = {NameOID.SERIAL_NUMBER: "SERIALNUMBER"}  # as Go prints names

    out: dict[str, Any] = {"name": keyset.name, "id": item.id, "state": keyset.state(item)}
    if item.distrust_timestamp is not None:
        out["distrustTimestamp"] = _time(item.distrust_timestamp)
    out["isPrimary"] = item.id == keyset.primary_id
    cert = item.certificate
    if cert is not None:
        out["subject"] = cert.subject.rfc4514_string(name_labels)
        out["issuer"] = cert.issuer.rfc4514_string(name_labels)
        try:
            san = cert.extensions.get_extension_for_class(SubjectAlternativeName).value
            names = [*san.get_values_for_type(DNSName), *san.get_values_for_type(RFC822Name),
                     *(str(ip) for ip in san.get_values_for_type(IPAddress))]
            if names:
                out["alternateNames"] = sorted(names)
        except ExtensionNotFound:
            pass
        out["isCA"] = certs.is_ca(cert)
        out["notBefore"] = _time(cert.not_valid_before_utc)
        out["notAfter"] = _time(cert.not_valid_after_utc)
        public_key = cert.public_key()
        if isinstance(public_key, rsa.RSAPublicKey):
            out["keyLength"] = public_key.key_size
    out["hasPrivateKey"] = item.private_key is not None
    return out


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(stamp: str | None) -> str:
    from datetime import datetime

    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d") if stamp else ""


# --- promote / distrust ----------------------------------------------------------------------------------


@click.group("promote", cls=KopsCommandGroup)
@global_options
def promote() -> None:
    """Promote a resource."""


@promote.command("keypair")
@click.argument("keyset", required=False, metavar="[KEYSET [ID] | all]")
@click.argument("keypair_id", required=False, metavar="")
@global_options
@click.pass_obj
def promote_keypair(settings: Settings, keyset: str | None, keypair_id: str | None) -> None:
    """Make a keypair the primary one, used for signing.

    Without ID, the newest keypair that has a private key is promoted, if it is newer than the current
    primary. Without KEYSET (or with "all"), that is done for every rotatable keyset.
    """
    if keypair_id and (not keyset or keyset == "all"):
        raise click.UsageError("an ID can only be given with a single KEYSET, not \"all\"")
    keystore = _keystore(settings)
    changed, messages = [], []
    for target in _rotatable(keystore, keyset, "promoting"):
        promoted = target.promote(keypair_id)
        if promoted is None:
            messages.append(f"No {target.name} keypair newer than current primary {target.primary_id}")
        else:
            changed.append(target)
            messages.append(f"Promoted {target.name} {promoted}")
    if changed:
        keystore.save(*changed)
    for message in messages:
        click.echo(message)


@click.group("distrust", cls=KopsCommandGroup)
@global_options
def distrust() -> None:
    """Distrust a resource."""


@distrust.command("keypair")
@click.argument("keyset", required=False, metavar="[KEYSET [ID]... | all]")
@click.argument("keypair_ids", nargs=-1, metavar="")
@global_options
@click.pass_obj
def distrust_keypair(settings: Settings, keyset: str | None, keypair_ids: tuple[str, ...]) -> None:
    """Remove keypairs from trust bundles.

    Without IDs, every keypair older than the keyset's primary is distrusted; the primary never can be.
    Without KEYSET (or with "all"), that is done for every rotatable keyset.
    """
    if keypair_ids and (not keyset or keyset == "all"):
        raise click.UsageError("IDs can only be given with a single KEYSET, not \"all\"")
    keystore = _keystore(settings)
    changed, messages = [], []
    for target in _rotatable(keystore, keyset, "distrusting"):
        ids = target.distrust(list(keypair_ids) or None)
        if ids:
            changed.append(target)
            messages += [f"Distrusted {target.name} {i}" for i in ids]
        elif keypair_ids:
            messages.append(f"{target.name} {' '.join(keypair_ids)}: already distrusted")
        else:
            messages.append(f"No {target.name} keypairs older than the primary")
    if changed:
        keystore.save(*changed)
    for message in messages:
        click.echo(message)


@click.group("trust", cls=KopsCommandGroup)
@global_options
def trust() -> None:
    """Trust a resource."""


@trust.command("keypair")
@click.argument("keyset", metavar="KEYSET")
@click.argument("keypair_ids", nargs=-1, required=True, metavar="ID...")
@global_options
@click.pass_obj
def trust_keypair(settings: Settings, keyset: str, keypair_ids: tuple[str, ...]) -> None:
    """Put distrusted keypairs back into the keyset's trust bundles: the reverse of kops distrust keypair.

    \b
    kops trust keypair kubernetes-ca 6977545226837259959403993899 --name k8s.example.com
    """
    from kops.errors import KopsError

    keystore = _keystore(settings)
    target = keystore.find(keyset)
    if target is None:
        raise KopsError(f"keyset {keyset!r} not found in cluster {keystore.cluster!r}")
    ids = target.trust(list(keypair_ids))
    if ids:
        keystore.save(target)
    for item_id in keypair_ids:
        click.echo(f"Trusted {keyset} {item_id}" if item_id in ids else f"{keyset} {item_id}: already trusted")
