"""A cluster's keysets read as PEM on a machine, without ``cryptography`` (see :mod:`kops.pki.keyset`, which owns
the stored form, upstream's ``Keyset``: keypairs by ID, PEM material base64-encoded, one primary).

The control plane's nodeup and the node credential service sign with a CA's keypair: the one the nodeup
configuration names (``KeypairIDs``), else the keyset's primary.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError


def keyset_path(cluster: str, name: str) -> str:
    """Upstream's location of a keyset in the state store (``{cluster}/pki/private/{name}/keyset.yaml``)."""
    return f"{cluster}/pki/private/{name}/keyset.yaml"


@dataclass
class Keypair:
    id: str
    certificate: bytes | None
    private_key: bytes | None = field(default=None, repr=False)


@dataclass
class KeysetPEM:
    name: str
    primary_id: str
    keypairs: dict[str, Keypair]

    def keypair(self, wanted: str | None = None) -> Keypair:
        """Keypair ``wanted`` (default: the primary), with its certificate and private key."""
        item = self.keypairs.get(str(wanted or self.primary_id))
        if item is None or item.certificate is None or item.private_key is None:
            raise KopsError(f"keyset {self.name}: keypair {wanted or self.primary_id} (with its certificate and private "
                            "key) is not in the keystore; run kops update cluster again")
        return item


def read_keyset(store: Any, cluster: str, name: str) -> KeysetPEM:
    """The keyset ``name`` of ``cluster`` in ``store`` (a :class:`kops.state.StateStore`)."""
    import yaml

    path = keyset_path(cluster, name)
    obj = store.read(path)
    if obj is None:
        raise KopsError(f"keyset {name!r} not found in cluster {cluster!r}; run kops update cluster")
    where = f"{store.url}/{path}"
    try:
        doc = yaml.safe_load(obj.data)
    except yaml.YAMLError:
        raise KopsError(f"{where}: not valid YAML") from None
    spec = doc.get("spec") if isinstance(doc, dict) and doc.get("kind") == "Keyset" else None
    if not isinstance(spec, dict) or not isinstance(spec.get("keys") or [], list):
        raise KopsError(f"{where}: expected a kops.k8s.io Keyset")
    keypairs = {}
    for n, entry in enumerate(spec.get("keys") or []):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise KopsError(f"{where}: spec.keys[{n}].id: missing")
        keypairs[str(entry["id"])] = Keypair(str(entry["id"]), _pem(entry.get("publicMaterial"), where),
                                             _pem(entry.get("privateMaterial"), where))
    primary = spec.get("primaryId", spec.get("primaryID"))
    return KeysetPEM(name, str(primary or ""), keypairs)


def _pem(value: Any, where: str) -> bytes | None:
    if not value:
        return None
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise KopsError(f"{where}: key material is not valid base64") from None
