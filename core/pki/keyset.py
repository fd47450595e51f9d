"""Keysets: the CA keypairs of a cluster, each with one primary and any number of others, for rotation.

A keyset holds keypairs by ID. The primary signs; the others are either *staged* (added after the primary,
waiting to be promoted), *secondary* (older than the primary, still trusted while clients move over) or
*distrusted* (kept on record, left out of every trust bundle). IDs are decimal serials that grow with time,
so "newer" is "higher ID", exactly as upstream orders them.

The stored form is upstream's ``Keyset`` object (``kops.k8s.io/v1alpha2``), PEM material base64-encoded, so
a state store written by either tool reads in the other.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml
from cryptography import x509
from kops.errors import KopsError
from kops.pki import certs

API_VERSION = "kops.k8s.io/v1alpha2"
KIND = "Keyset"
TYPE_KEYPAIR = "Keypair"

PRIMARY = "primary"
STAGED = "staged"
SECONDARY = "secondary"
DISTRUSTED = "distrusted"

_NUMERIC = re.compile(r"[+-]?[0-9]+")


def id_order(item_id: str) -> tuple[int, int, str]:
    """Sort key putting older IDs first: numeric IDs by value, after any non-numeric ones (as upstream)."""
    if _NUMERIC.fullmatch(item_id):
        return (1, int(item_id), "")
    return (0, 0, item_id)


@dataclass
class KeysetItem:
    id: str
    certificate: x509.Certificate | None
    private_key: certs.PrivateKey | None = field(default=None, repr=False)
    distrust_timestamp: datetime | None = None

    @property
    def distrusted(self) -> bool:
        return self.distrust_timestamp is not None


@dataclass
class Keyset:
    name: str
    items: dict[str, KeysetItem] = field(default_factory=dict)
    primary_id: str | None = None
    #: Generation of the stored object this was read from (None: not stored yet); writes are conditional on it.
    generation: str | None = field(default=None, compare=False)

    # --- reading -------------------------------------------------------------------------------------

    @property
    def primary(self) -> KeysetItem:
        item = self.items.get(self.primary_id or "")
        if item is None:
            raise KopsError(f"keyset {self.name}: it has no primary keypair")
        return item

    def ordered(self) -> list[KeysetItem]:
        """Items oldest first."""
        return sorted(self.items.values(), key=lambda i: id_order(i.id))

    def state(self, item: KeysetItem) -> str:
        if item.distrusted:
            return DISTRUSTED
        if item.id == self.primary_id:
            return PRIMARY
        return STAGED if id_order(item.id) > id_order(self.primary.id) else SECONDARY

    def trusted_certificates(self) -> list[x509.Certificate]:
        """Every certificate not distrusted, oldest first: what clients must trust during a rotation."""
        return [i.certificate for i in self.ordered() if not i.distrusted and i.certificate is not None]

    def trust_bundle(self) -> bytes:
        """:meth:`trusted_certificates` as concatenated PEM."""
        return b"".join(certs.certificate_pem(c) for c in self.trusted_certificates())

    # --- rotation ------------------------------------------------------------------------------------

    def add(self, cert: x509.Certificate, key: certs.PrivateKey | None, primary: bool) -> KeysetItem:
        """Add a keypair (or a certificate alone, which can never sign) and return it.

        Its ID is the certificate's serial when that sorts where the item belongs, else a fresh time-based
        serial, so a new keypair always sorts after the ones already there and a certificate without a key
        sorts before the primary.
        """
        if key is None and primary:
            raise KopsError(f"keyset {self.name}: a keypair without a private key cannot be primary")
        if not primary and self.primary_id is None:
            raise KopsError(f"keyset {self.name}: the first keypair added to a keyset must be primary")
        highest = max((int(i) for i in self.items if _NUMERIC.fullmatch(i)), default=0)
        item_id = certs.pki_serial()
        serial = cert.serial_number
        if serial <= item_id and (not primary or serial > highest):
            item_id = serial
        if key is None and self.primary.certificate is not None \
                and self.primary.certificate.serial_number <= item_id:
            item_id = 0
            while str(item_id) in self.items:
                item_id += 1
        item = KeysetItem(str(item_id), cert, key)
        self.items[item.id] = item
        if primary:
            self.primary_id = item.id
        return item

    def promote(self, item_id: str | None = None) -> str | None:
        """Make ``item_id`` (default: the newest trusted keypair with a private key) primary.

        Returns the ID promoted, or None when nothing is newer than the current primary.
        """
        if item_id is None:
            candidates = [i for i in self.ordered() if i.private_key is not None and i.certificate is not None
                          and not i.distrusted]
            if not candidates or candidates[-1].id == self.primary_id:
                return None
            item_id = candidates[-1].id
        item = self.items.get(item_id)
        if item is None:
            raise KopsError(f"keyset {self.name}: keypair {item_id} not found")
        if item.distrusted:
            raise KopsError(f"keyset {self.name}: keypair {item_id} is distrusted and cannot be made primary")
        if item.private_key is None or item.certificate is None:
            raise KopsError(f"keyset {self.name}: keypair {item_id} has no private key and cannot be made primary")
        self.primary_id = item_id
        return item_id

    def distrust(self, item_ids: list[str] | None = None, now: datetime | None = None) -> list[str]:
        """Distrust the given keypairs (default: every trusted one older than the primary); return those changed.

        All IDs are checked before any is changed: the primary and unknown IDs are errors.
        """
        if item_ids is None:
            primary = id_order(self.primary.id)
            item_ids = [i.id for i in self.ordered() if not i.distrusted and id_order(i.id) < primary]
        for item_id in item_ids:
            if item_id == self.primary_id:
                raise KopsError(f"keyset {self.name}: keypair {item_id} is the primary and cannot be distrusted; "
                                "promote another keypair first")
            if item_id not in self.items:
                raise KopsError(f"keyset {self.name}: keypair {item_id} not found")
        stamp = (now or datetime.now(UTC)).replace(microsecond=0)
        changed = []
        for item_id in item_ids:
            item = self.items[item_id]
            if not item.distrusted:
                item.distrust_timestamp = stamp
                changed.append(item_id)
        return changed

    def trust(self, item_ids: list[str]) -> list[str]:
        """Trust distrusted keypairs again (the reverse of :meth:`distrust`); return those changed.

        All IDs are checked before any is changed: unknown IDs are errors, trusted ones are left as they are.
        """
        for item_id in item_ids:
            if item_id not in self.items:
                raise KopsError(f"keyset {self.name}: keypair {item_id} not found")
        changed = []
        for item_id in item_ids:
            item = self.items[item_id]
            if item.distrusted:
                item.distrust_timestamp = None
                changed.append(item_id)
        return changed

    def check(self) -> None:
        """What upstream requires of a keyset before storing it: a trusted primary with a certificate and key."""
        item = self.items.get(self.primary_id or "")
        if item is None:
            raise KopsError(f"keyset {self.name}: the primary keypair {self.primary_id!r} is not among its keypairs")
        if item.distrusted:
            raise KopsError(f"keyset {self.name}: the primary keypair {item.id} must not be distrusted")
        if item.private_key is None or item.certificate is None:
            raise KopsError(f"keyset {self.name}: the primary keypair {item.id} needs a certificate and a private key")

    # --- stored form ---------------------------------------------------------------------------------

    def to_yaml(self) -> bytes:
        """Upstream's serialised ``Keyset``; it holds private keys, so store it as private material."""
        keys = []
        for item in self.ordered():
            entry: dict[str, Any] = {}
            if item.distrust_timestamp is not None:
                entry["distrustTimestamp"] = item.distrust_timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            entry["id"] = item.id
            if item.private_key is not None:
                entry["privateMaterial"] = base64.b64encode(certs.private_key_pem(item.private_key)).decode()
            if item.certificate is not None:
                entry["publicMaterial"] = base64.b64encode(certs.certificate_pem(item.certificate)).decode()
            keys.append(entry)
        spec: dict[str, Any] = {"keys": keys}
        if self.primary_id is not None:
            spec["primaryId"] = self.primary_id
        spec["type"] = TYPE_KEYPAIR
        doc = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": self.name}, "spec": spec}
        return yaml.dump(doc, Dumper=_GoStyleDumper, sort_keys=False, width=1 << 30).encode()

    @classmethod
    def from_yaml(cls, data: bytes, source: str, generation: str | None = None) -> Keyset:
        """Parse a stored keyset; errors name ``source`` and the field, never key material."""
        try:
            doc = yaml.load(data, Loader=_Loader)  # noqa: S506 - the safe loader
        except yaml.YAMLError:
            raise KopsError(f"{source}: not valid YAML") from None
        if not isinstance(doc, dict) or doc.get("kind") != KIND \
                or not str(doc.get("apiVersion", "")).startswith("kops.k8s.io/"):
            raise KopsError(f"{source}: expected a kops.k8s.io Keyset")
        spec = doc.get("spec") or {}
        name = str((doc.get("metadata") or {}).get("name") or "")
        if not isinstance(spec, dict) or not isinstance(spec.get("keys") or [], list):
            raise KopsError(f"{source}: spec.keys: expected a list")
        keyset = cls(name=name, primary_id=_opt_str(spec.get("primaryId", spec.get("primaryID"))),
                     generation=generation)
        for n, entry in enumerate(spec.get("keys") or []):
            where = f"{source}: spec.keys[{n}]"
            if not isinstance(entry, dict) or not entry.get("id"):
                raise KopsError(f"{where}.id: missing")
            item = KeysetItem(id=str(entry["id"]), certificate=None)
            if entry.get("publicMaterial"):
                item.certificate = certs.load_certificate(_b64(entry["publicMaterial"], f"{where}.publicMaterial"),
                                                          f"{where}.publicMaterial")
            if entry.get("privateMaterial"):
                item.private_key = certs.load_private_key(_b64(entry["privateMaterial"], f"{where}.privateMaterial"),
                                                          f"{where}.privateMaterial", stored=True)
            if entry.get("distrustTimestamp"):
                item.distrust_timestamp = _timestamp(entry["distrustTimestamp"], f"{where}.distrustTimestamp")
            keyset.items[item.id] = item
        return keyset


def new_ca_keyset(name: str, subject: str | None = None) -> Keyset:
    """A keyset holding one new self-signed CA keypair, primary, subject ``cn=NAME`` unless given."""
    cert, key = certs.self_signed_ca(subject or f"cn={name}")
    keyset = Keyset(name)
    keyset.add(cert, key, primary=True)
    return keyset


#: libyaml's loader and emitter where PyYAML has them: the same documents and bytes, several times faster.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _GoStyleDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes strings that would read back as something else in double quotes, as Go's YAML encoder does."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain_tag = dumper.resolve(yaml.ScalarNode, value, (True, False))
    style = '"' if plain_tag != "tag:yaml.org,2002:str" else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_GoStyleDumper.add_representer(str, _represent_str)


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _b64(value: Any, where: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise KopsError(f"{where}: not valid base64") from None


def _timestamp(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise KopsError(f"{where}: expected an RFC 3339 time such as 2024-01-02T03:04:05Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
