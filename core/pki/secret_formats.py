"""What the secrets users bring must look like, checked before they are stored.

A broken encryption config stops every kube-apiserver at boot and a broken Docker config breaks image pulls
on every new node, long after ``kops create secret`` said yes. So both are checked here against the rules
their consumers apply. Errors name the file and the field, never the value: these files hold keys.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from kops.errors import KopsError

ENCRYPTION_CONFIG_API_VERSION = "apiserver.config.k8s.io/v1"
ENCRYPTION_CONFIG_KIND = "EncryptionConfiguration"

#: Providers with a list of keys, and the key lengths (bytes) the API server accepts for each.
_KEYED_PROVIDERS = {"aescbc": (16, 24, 32), "aesgcm": (16, 24, 32), "secretbox": (32,)}
_PROVIDERS = (*_KEYED_PROVIDERS, "kms", "identity")


def check_encryption_config(data: bytes, source: str) -> None:
    """Raise a KopsError naming ``source`` and the field unless ``data`` is a valid EncryptionConfiguration."""
    import yaml

    try:
        doc = yaml.safe_load(data)
    except (yaml.YAMLError, UnicodeDecodeError):
        raise KopsError(f"{source}: not valid YAML") from None
    if not isinstance(doc, dict):
        raise KopsError(f"{source}: expected an {ENCRYPTION_CONFIG_KIND} object")
    if doc.get("kind") != ENCRYPTION_CONFIG_KIND:
        raise KopsError(f"{source}: kind: must be {ENCRYPTION_CONFIG_KIND}, got {doc.get('kind')!r}")
    if doc.get("apiVersion") != ENCRYPTION_CONFIG_API_VERSION:
        raise KopsError(f"{source}: apiVersion: must be {ENCRYPTION_CONFIG_API_VERSION}, got {doc.get('apiVersion')!r}")
    rules = _nonempty_list(doc.get("resources"), source, "resources")
    for n, rule in enumerate(rules):
        where = f"resources[{n}]"
        if not isinstance(rule, dict):
            raise KopsError(f"{source}: {where}: expected a mapping with resources and providers")
        for m, resource in enumerate(_nonempty_list(rule.get("resources"), source, f"{where}.resources")):
            if not isinstance(resource, str) or not resource:
                raise KopsError(f"{source}: {where}.resources[{m}]: expected a resource name such as secrets")
        for m, provider in enumerate(_nonempty_list(rule.get("providers"), source, f"{where}.providers")):
            _check_provider(provider, source, f"{where}.providers[{m}]")


def _check_provider(provider: Any, source: str, where: str) -> None:
    if not isinstance(provider, dict) or len(provider) != 1 or next(iter(provider)) not in _PROVIDERS:
        raise KopsError(f"{source}: {where}: expected exactly one of {', '.join(_PROVIDERS)}")
    kind, config = next(iter(provider.items()))
    where = f"{where}.{kind}"
    if kind == "identity":
        if config not in (None, {}):
            raise KopsError(f"{source}: {where}: takes no settings; write identity: {{}}")
        return
    if not isinstance(config, dict):
        raise KopsError(f"{source}: {where}: expected a mapping")
    if kind == "kms":
        for required in ("name", "endpoint"):
            if not isinstance(config.get(required), str) or not config[required]:
                raise KopsError(f"{source}: {where}.{required}: required")
        return
    sizes = _KEYED_PROVIDERS[kind]
    for k, key in enumerate(_nonempty_list(config.get("keys"), source, f"{where}.keys")):
        key_where = f"{where}.keys[{k}]"
        if not isinstance(key, dict) or not isinstance(key.get("name"), str) or not key["name"]:
            raise KopsError(f"{source}: {key_where}.name: required")
        secret = key.get("secret")
        if not isinstance(secret, str) or not secret:
            raise KopsError(f"{source}: {key_where}.secret: required")
        try:
            length = len(base64.b64decode(secret, validate=True))
        except (binascii.Error, ValueError):
            raise KopsError(f"{source}: {key_where}.secret: not valid base64") from None
        if length not in sizes:
            allowed = " or ".join(str(s) for s in sizes)
            raise KopsError(f"{source}: {key_where}.secret: {kind} keys are {allowed} bytes long, this one is {length}")


def check_docker_config(data: bytes, source: str) -> None:
    """Raise a KopsError naming ``source`` and the field unless ``data`` is a Docker config.json with ``auths``."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise KopsError(f"{source}: not valid JSON") from None
    if not isinstance(doc, dict):
        raise KopsError(f"{source}: expected a JSON object with auths")
    auths = doc.get("auths")
    if not isinstance(auths, dict) or not auths:
        raise KopsError(f"{source}: auths: required, a mapping of registry to credentials")
    for registry, entry in auths.items():
        where = f"auths[{json.dumps(registry)}]"
        if not registry:
            raise KopsError(f"{source}: auths: a registry name is empty")
        if not isinstance(entry, dict):
            raise KopsError(f"{source}: {where}: expected an object such as {{\"auth\": \"BASE64\"}}")
        auth = entry.get("auth")
        if auth is None:
            continue
        try:
            decoded = base64.b64decode(str(auth), validate=True).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise KopsError(f"{source}: {where}.auth: not valid base64") from None
        if ":" not in decoded:
            raise KopsError(f"{source}: {where}.auth: must be base64 of USERNAME:PASSWORD")


def check_cilium_ipsec_keys(data: bytes, source: str) -> None:
    """Raise a KopsError naming ``source`` unless ``data`` is Cilium's IPsec configuration: a YAML mapping whose
    ``keys`` is the key line Cilium reads from its ``cilium-ipsec-keys`` Secret (``SPI ALGORITHM KEY [BITS]``)."""
    import yaml

    try:
        doc = yaml.safe_load(data)
    except (yaml.YAMLError, UnicodeDecodeError):
        raise KopsError(f"{source}: not valid YAML") from None
    if not isinstance(doc, dict):
        raise KopsError(f"{source}: expected a mapping such as keys: \"3+ rfc4106(gcm(aes)) HEXKEY 128\"")
    keys = doc.get("keys")
    if not isinstance(keys, str) or not keys.strip():
        raise KopsError(f"{source}: keys: required, Cilium's IPsec key line (SPI ALGORITHM KEY [BITS])")
    if "\n" in keys.strip() or len(keys.split()) < 3:
        raise KopsError(f"{source}: keys: expected one line of at least three fields (SPI ALGORITHM KEY [BITS])")


def _nonempty_list(value: Any, source: str, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise KopsError(f"{source}: {where}: required, a non-empty list")
    return value
