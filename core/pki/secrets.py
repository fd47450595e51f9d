"""A cluster's secrets in the state store, at upstream's paths: ``{cluster}/secrets/{name}``.

Each object is upstream's JSON form, ``{"Data":"<base64>"}``, written as private material. Only names
and types are ever listed; the values stay in the store.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from kops.errors import KopsError
from kops.state import ANY, ConflictError

ENCRYPTION_CONFIG = "encryptionconfig"
DOCKER_CONFIG = "dockerconfig"
CILIUM_PASSWORD = "ciliumpassword"

#: Secret name -> the type ``kops get secrets`` shows; every other secret is a plain ``Secret``.
SECRET_TYPES = {ENCRYPTION_CONFIG: "EncryptionConfiguration", DOCKER_CONFIG: "DockerConfig",
                CILIUM_PASSWORD: "CiliumIPsecKeys"}


def secrets_dir(cluster: str) -> str:
    return f"{cluster}/secrets"


def secret_path(cluster: str, name: str) -> str:
    return f"{secrets_dir(cluster)}/{name}"


def secret_type(name: str) -> str:
    return SECRET_TYPES.get(name, "Secret")


def encode_secret(data: bytes) -> bytes:
    return json.dumps({"Data": base64.b64encode(data).decode()}, separators=(",", ":")).encode()


def decode_secret(raw: bytes, source: str) -> bytes:
    try:
        return base64.b64decode(json.loads(raw)["Data"], validate=True)
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, binascii.Error, ValueError):
        raise KopsError(f"{source}: not a kops secret (expected {{\"Data\": BASE64}})") from None


def list_secrets(store: Any, cluster: str) -> list[str]:
    prefix = secrets_dir(cluster) + "/"
    return sorted(p[len(prefix):] for p in store.list(prefix) if "/" not in p[len(prefix):])


def find_secret(store: Any, cluster: str, name: str) -> bytes | None:
    path = secret_path(cluster, name)
    obj = store.read(path)
    return None if obj is None else decode_secret(obj.data, f"{store.url}/{path}")


def put_secret(store: Any, cluster: str, name: str, data: bytes, *, replace: bool = False) -> None:
    """Store a secret; one that exists already is an error unless ``replace``."""
    if not name or "/" in name or name.startswith("."):
        raise KopsError(f"invalid secret name {name!r}")
    try:
        store.write(secret_path(cluster, name), encode_secret(data), expect=ANY if replace else None, private=True)
    except ConflictError:
        raise KopsError(f"secret {name!r} already exists in cluster {cluster!r}; pass --force to replace it") from None


def delete_secret(store: Any, cluster: str, name: str) -> None:
    """Delete a secret; one the cluster does not have is an error naming it."""
    if name not in list_secrets(store, cluster):
        raise KopsError(f"secret {name!r} not found in cluster {cluster!r}")
    store.delete(secret_path(cluster, name))
