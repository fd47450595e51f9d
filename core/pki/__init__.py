"""A cluster's PKI and secrets, stored as upstream kOps stores them.

- :mod:`kops.pki.certs`: keys and certificates (RSA 2048, upstream's subjects, usages and lifetimes).
- :mod:`kops.pki.keyset`: keysets with a primary keypair, staged and distrusted ones, for rotation.
- :mod:`kops.pki.keystore`: keysets in the state store at ``{cluster}/pki/private/{name}/keyset.yaml``.
- :mod:`kops.pki.cluster`: the CA keysets a cluster needs; :func:`ensure_cluster_pki` creates missing ones.
- :mod:`kops.pki.issue`: certificates signed by a keyset's primary keypair.
- :mod:`kops.pki.secrets` and :mod:`kops.pki.secret_formats`: ``{cluster}/secrets/{name}`` and their checks.
- :mod:`kops.pki.kubeconfig`: the kubeconfig entries ``kops export kubeconfig`` merges.

The names below are the package's public API. They load on first use (PEP 562), so a command that needs only
:mod:`kops.pki.secrets` (``kops get secrets``) does not import ``cryptography``; command modules import the package
inside their functions only.
"""

from importlib import import_module
from typing import Any

_HOMES = {"KUBERNETES_CA": "cluster", "SERVICE_ACCOUNT": "cluster", "cluster_ca_keysets": "cluster",
          "ensure_cluster_pki": "cluster", "is_rotatable": "cluster", "IssuedCertificate": "issue",
          "issue_certificate": "issue", "Keyset": "keyset", "KeysetItem": "keyset", "new_ca_keyset": "keyset",
          "Keystore": "keystore", "keyset_path": "keystore"}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
