"""Clusters in a state store, in upstream's layout: the typed layer over :mod:`kops.state`.

Every change that touches several objects (a cluster and its instance groups) goes through one
atomic ``commit`` with the generations that were read, so it lands whole or not at all, and a
writer that raced another gets a conflict error instead of silently overwriting it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kops.errors import KopsError
from kops.ownership import STORE_ID_FILE, new_store_id


class ClusterNotFound(KopsError):
    pass


def config_path(cluster: str) -> str:
    return f"{cluster}/config"


def group_path(cluster: str, group: str) -> str:
    return f"{cluster}/instancegroup/{group}"


def additional_path(cluster: str) -> str:
    return f"{cluster}/additionalobjects"


def store_id_path(cluster: str) -> str:
    return f"{cluster}/{STORE_ID_FILE}"


def ssh_key_dir(cluster: str) -> str:
    return f"{cluster}/pki/ssh/public/admin"


def ssh_fingerprint(public_key: str) -> str:
    """The MD5 fingerprint of an OpenSSH public key, as hex (upstream names the key file with it)."""
    parts = public_key.split()
    if len(parts) < 2:
        raise KopsError("SSH public key: expected 'TYPE BASE64 [COMMENT]' (an OpenSSH .pub file)")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise KopsError("SSH public key: the key data is not valid base64") from None
    return hashlib.md5(blob, usedforsecurity=False).hexdigest()


@dataclass
class ClusterState:
    """A cluster's spec as stored, with the generation of each object for conditional writes."""

    cluster: Any
    instance_groups: list[Any]
    additional: list[Any] = field(default_factory=list)
    generations: dict[str, str | None] = field(default_factory=dict)


@dataclass
class ClusterTrees:
    """A cluster's documents as plain trees (upstream's field names, unset fields left out): what ``kops get``
    prints."""

    cluster: dict[str, Any]
    instance_groups: list[dict[str, Any]]
    additional: list[dict[str, Any]]


class Registry:
    def __init__(self, store: Any):
        self.store = store

    # --- reading -----------------------------------------------------------------------------
    def list_clusters(self) -> list[str]:
        return sorted({p.split("/", 1)[0] for p in self.store.list("") if p.count("/") == 1 and p.endswith("/config")})

    def exists(self, name: str) -> bool:
        return self.store.read(config_path(name)) is not None

    def get(self, name: str) -> ClusterState:
        from kops import api

        cluster, generation = self._cluster(name)
        generations: dict[str, str | None] = {config_path(name): generation}
        groups = []
        for path in self.store.list(f"{name}/instancegroup/"):
            stored = self.store.read(path)
            if stored is None:
                continue
            groups.append(_single(api.load_objects(self._text(stored, path), f"{self.store.url}/{path}")))
            generations[path] = stored.generation
        additional: list[Any] = []
        extra = self.store.read(additional_path(name))
        if extra is not None:
            additional = api.load_objects(self._text(extra, additional_path(name)),
                                          f"{self.store.url}/{additional_path(name)}")
            generations[additional_path(name)] = extra.generation
        groups.sort(key=lambda g: g.metadata.name)
        return ClusterState(cluster, groups, additional, generations)

    def cluster(self, name: str) -> Any:
        """The Cluster alone, for what needs none of its instance groups (a thousand of them take a while to read)."""
        return self._cluster(name)[0]

    def _cluster(self, name: str) -> tuple[Any, str | None]:
        from kops import api

        obj = self.store.read(config_path(name))
        if obj is None:
            raise ClusterNotFound(f"cluster {name!r} not found in {self.store.url}")
        text = self._text(obj, config_path(name))
        return _single(api.load_objects(text, f"{self.store.url}/{config_path(name)}")), obj.generation

    def trees(self, name: str) -> ClusterTrees:
        """The cluster as :meth:`get` reads it, as plain trees, for commands that only print it.

        A stored file in the exact form kops writes (its bytes are what dumping its parsed documents gives) held
        objects that were validated when they were stored, so its documents are used as parsed, and the API models,
        which cost most of a read-only command's time to build, are never built. Any other file (edited by hand,
        written by another tool) is read through the models as :meth:`get` does, with the same errors.
        """
        cluster = self.cluster_tree(name)
        groups = [tree for path in self.store.list(f"{name}/instancegroup/")
                  for tree in self._trees(path, "InstanceGroup") or []]
        groups.sort(key=lambda g: str(g.get("metadata", {}).get("name", "")))
        return ClusterTrees(cluster, groups, self._trees(additional_path(name), None) or [])

    def cluster_tree(self, name: str) -> dict[str, Any]:
        """The Cluster alone, as :meth:`trees` reads it (``kops get clusters`` reads no instance group)."""
        found = self._trees(config_path(name), "Cluster")
        if found is None:
            raise ClusterNotFound(f"cluster {name!r} not found in {self.store.url}")
        return found[0]

    def _trees(self, path: str, kind: str | None) -> list[dict[str, Any]] | None:
        """The documents of one stored file (one of ``kind``, or any number for the additional objects)."""
        import yaml
        from kops import manifests

        stored = self.store.read(path)
        if stored is None:
            return None
        text = self._text(stored, path)
        try:
            docs = manifests.load_all(text)
        except yaml.YAMLError as exc:
            raise KopsError(f"{self.store.url}/{path}: {manifests.problem(exc)}") from None
        canonical = all(isinstance(d, dict) for d in docs) and manifests.dump_all(docs) == text
        if canonical and (kind is None or len(docs) == 1 and docs[0].get("kind") == kind
                          and docs[0].get("apiVersion") == manifests.API_VERSION):
            return docs
        from kops import api

        objects = api.load_objects(text, f"{self.store.url}/{path}")
        return [api.to_dict(o) for o in ([_single(objects)] if kind else objects)]

    def _text(self, stored: Any, path: str) -> str:
        try:
            return str(stored.data.decode())
        except UnicodeDecodeError:
            raise KopsError(f"{self.store.url}/{path}: not a text (UTF-8) file; restore it from its kept versions "
                            "(kops toolbox history) or a backup") from None

    def ssh_keys(self, name: str) -> dict[str, str]:
        out = {}
        for path in self.store.list(ssh_key_dir(name) + "/"):
            stored = self.store.read(path)
            if stored is not None:
                out[path.rsplit("/", 1)[1]] = stored.data.decode().strip()
        return out

    # --- writing -----------------------------------------------------------------------------
    def create(self, cluster: Any, groups: list[Any], additional: list[Any] | None = None,
               ssh_public_key: str | None = None) -> None:
        """Store a new cluster; an existing one with the same name is an error and is left untouched."""
        name = cluster.metadata.name
        if self.exists(name):
            raise KopsError(f"cluster {name!r} already exists in {self.store.url}; use 'kops replace' or "
                            "'kops edit cluster' to change it")
        stamp(cluster)
        for g in groups:
            stamp(g)
        writes = self._writes(name, cluster, groups, additional or [])
        if ssh_public_key:
            writes[f"{ssh_key_dir(name)}/{ssh_fingerprint(ssh_public_key)}"] = ssh_public_key.strip().encode() + b"\n"
        writes[store_id_path(name)] = new_store_id().encode()
        # The CAs exist from the start, so a plan saved before the first apply already shows them; they land in the
        # same commit as the spec, so an interrupted create leaves no cluster rather than one without its CAs.
        from kops.pki.cluster import new_cluster_keysets

        keysets = new_cluster_keysets(cluster)
        writes.update(keysets)
        self.store.commit(writes, expect={p: None for p in writes}, private=set(keysets))

    def store_id(self, name: str) -> str | None:
        """The ID this store gave the cluster (see :mod:`kops.ownership`), or None for a cluster stored before IDs."""
        stored = self.store.read(store_id_path(name))
        return stored.data.decode().strip() if stored is not None else None

    def ensure_store_id(self, name: str) -> str:
        """The cluster's store ID, made now if it has none (a cluster created by an older kops or by upstream)."""
        from kops.state import ConflictError

        found = self.store_id(name)
        if found:
            return found
        try:
            self.store.write(store_id_path(name), new_store_id().encode(), expect=None)
        except ConflictError:
            pass  # another run made it first: use theirs
        return self.store_id(name) or ""

    def replace(self, state: ClusterState, cluster: Any, groups: list[Any], additional: list[Any] | None = None,
                prune_groups: bool = False) -> None:
        """Write a changed cluster, checking nothing changed since ``state`` was read.

        Instance groups not in ``groups`` are deleted only with ``prune_groups``.
        """
        name = cluster.metadata.name
        writes: dict[str, bytes | None] = dict(self._writes(name, cluster, groups, additional))
        if additional is None:
            writes.pop(additional_path(name), None)
        elif not additional and additional_path(name) in state.generations:
            writes[additional_path(name)] = None
        if prune_groups:
            for path in state.generations:
                if path.startswith(f"{name}/instancegroup/") and path not in writes:
                    writes[path] = None
        expect = {p: state.generations.get(p) for p in writes}
        self.store.commit(writes, expect=expect)

    def put_group(self, cluster_name: str, group: Any, expect: str | None) -> None:
        stamp(group)
        from kops import api

        self.store.write(group_path(cluster_name, group.metadata.name), api.dump_yaml(group).encode(), expect=expect)

    def delete_group(self, cluster_name: str, group_name: str, expect: str) -> None:
        self.store.delete(group_path(cluster_name, group_name), expect=expect)

    def add_ssh_key(self, name: str, public_key: str) -> str:
        if not self.exists(name):
            raise ClusterNotFound(f"cluster {name!r} not found in {self.store.url}")
        fingerprint = ssh_fingerprint(public_key)
        self.store.write(f"{ssh_key_dir(name)}/{fingerprint}", public_key.strip().encode() + b"\n")
        return fingerprint

    def delete_cluster(self, name: str) -> int:
        return self.store.delete_tree(f"{name}/")

    @staticmethod
    def _writes(name: str, cluster: Any, groups: list[Any], additional: list[Any] | None) -> dict[str, bytes | None]:
        from kops import api

        writes: dict[str, bytes | None] = {config_path(name): api.dump_yaml(cluster).encode()}
        for g in groups:
            writes[group_path(name, g.metadata.name)] = api.dump_yaml(g).encode()
        if additional:
            writes[additional_path(name)] = api.dump_yaml(additional).encode()
        return writes


def stamp(obj: Any) -> None:
    """Record when an object was first stored, as upstream's creationTimestamp."""
    if getattr(obj.metadata, "creationTimestamp", None) is None:
        obj.metadata.creationTimestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _single(objs: list[Any]) -> Any:
    if len(objs) != 1:
        raise KopsError(f"expected one object in a stored spec file, found {len(objs)}")
    return objs[0]
