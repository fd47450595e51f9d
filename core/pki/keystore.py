"""A cluster's keysets in the state store, at upstream's paths: ``{cluster}/pki/private/{name}/keyset.yaml``.

Upstream stopped writing the certificate-only copy under ``pki/issued/`` in kOps 1.22 and reads only the
private bundle, so that is the one object per keyset written here. Every keyset holds private keys and is
written as private material (owner-only files on ``file://``). Writes are conditional on the generation
that was read, and changes to several keysets land in one commit, so a racing writer gets a conflict
error rather than a half-rotated cluster.
"""

from __future__ import annotations

import logging
from typing import Any

from kops.errors import KopsError
from kops.nodeup.keysets import keyset_path
from kops.pki.keyset import Keyset

log = logging.getLogger(__name__)


def pki_dir(cluster: str) -> str:
    return f"{cluster}/pki"


class Keystore:
    """The keysets of one cluster in a state store."""

    def __init__(self, store: Any, cluster: str):
        self.store = store
        self.cluster = cluster

    def find(self, name: str) -> Keyset | None:
        """The keyset called ``name``, or None when there is none."""
        _check_name(name)
        path = keyset_path(self.cluster, name)
        obj = self.store.read(path)
        if obj is None:
            return None
        keyset = Keyset.from_yaml(obj.data, f"{self.store.url}/{path}", generation=obj.generation)
        keyset.name = name
        return keyset

    def get(self, name: str) -> Keyset:
        keyset = self.find(name)
        if keyset is None:
            known = ", ".join(self.names()) or "none yet; kops update cluster creates them"
            raise KopsError(f"keyset {name!r} not found in cluster {self.cluster!r} (keysets: {known})")
        return keyset

    def names(self) -> list[str]:
        prefix = f"{pki_dir(self.cluster)}/private/"
        found = []
        for path in self.store.list(prefix):
            parts = path[len(prefix):].split("/")
            if len(parts) == 2 and parts[1] == "keyset.yaml":
                found.append(parts[0])
        return sorted(found)

    def list(self) -> dict[str, Keyset]:
        """Every readable keyset by name; one that does not parse is skipped with a warning, as upstream."""
        out = {}
        for name in self.names():
            try:
                keyset = self.find(name)
            except KopsError as exc:
                log.warning("ignoring keyset %s: %s", name, exc)
                continue
            if keyset is not None:
                out[name] = keyset
        return out

    def save(self, *keysets: Keyset) -> None:
        """Store keysets together, each only if unchanged since it was read (or still absent, when new)."""
        writes: dict[str, bytes | None] = {}
        expect: dict[str, str | None] = {}
        for keyset in keysets:
            _check_name(keyset.name)
            keyset.check()
            path = keyset_path(self.cluster, keyset.name)
            writes[path] = keyset.to_yaml()
            expect[path] = keyset.generation
        generations = self.store.commit(writes, expect=expect, private=set(writes))
        for keyset in keysets:
            keyset.generation = generations.get(keyset_path(self.cluster, keyset.name), keyset.generation)
        log.info("stored keysets %s of cluster %s", ", ".join(k.name for k in keysets), self.cluster)


def _check_name(name: str) -> None:
    if not name or "/" in name or name.startswith(".") or name != name.strip():
        raise KopsError(f"invalid keyset name {name!r}: expected a name such as kubernetes-ca")
