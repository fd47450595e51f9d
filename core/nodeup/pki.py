"""The control plane's credentials, issued on the machine from the cluster's keysets in the state store.

The nodeup configuration names, per CA, the keypair ID that was primary at update time; certificates are
signed by exactly that keypair (so a rotation staged since then does not change what a booting control
plane trusts) and the CA's private key is read only when a component needs it (the controller manager's
signing key, etcd-manager's CAs). Keys and certificates are made with the image's ``openssl``
(:mod:`kops.nodeup.openssl`). Worker nodes never get here: the node credential service issues theirs
(:mod:`kops.nodeup.credentials`).
"""

from __future__ import annotations

import base64
from typing import Any

from kops.errors import KopsError


class NodePKI:
    def __init__(self, config: dict[str, Any], store: Any):
        self.config = config
        self.store = store
        self._keysets: dict[str, Any] = {}

    def ca_bundle(self, name: str) -> bytes:
        """The trusted certificates of CA ``name``, as the update wrote them into the configuration."""
        bundle = (self.config.get("CAs") or {}).get(name)
        if not bundle:
            raise KopsError(f"nodeup configuration: CAs.{name} is missing; run kops update cluster again")
        return bundle.encode()

    def private_key(self, name: str) -> bytes:
        """PEM of the configured keypair's private key of keyset ``name`` (a CA, or the service-account key)."""
        return self._item(name).private_key

    def certificate(self, name: str) -> bytes:
        return self._item(name).certificate

    def issue(self, signer: str, subject: str, usage: str = "client", sans: list[str] | None = None
              ) -> tuple[bytes, bytes]:
        """A new key and a certificate for it signed by ``signer``'s configured keypair: (cert PEM, key PEM)."""
        from kops.nodeup import openssl

        item = self._item(signer)
        return openssl.issue(item.certificate, item.private_key, subject, usage, sans)

    def kubeconfig(self, user: str, subject: str, server: str) -> bytes:
        """A kubeconfig for ``user`` with a new client certificate (CN/O from ``subject``) embedded."""
        cert, key = self.issue("kubernetes-ca", subject)
        return credentials_kubeconfig(self.ca_bundle("kubernetes-ca"), server, user, cert, key)

    def _item(self, name: str) -> Any:
        from kops.nodeup.keysets import read_keyset

        keyset = self._keysets.get(name)
        if keyset is None:
            keyset = self._keysets[name] = read_keyset(self.store, str(self.config["ClusterName"]), name)
        return keyset.keypair((self.config.get("KeypairIDs") or {}).get(name))


def credentials_kubeconfig(ca_bundle: bytes, server: str, user: str, cert: bytes, key: bytes) -> bytes:
    """A kubeconfig for ``user`` with its client certificate and key embedded."""
    from kops.nodeup.yamlio import dump

    return dump({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "local", "cluster": {"certificate-authority-data": _b64(ca_bundle), "server": server}}],
        "users": [{"name": user, "user": {"client-certificate-data": _b64(cert), "client-key-data": _b64(key)}}],
        "contexts": [{"name": "service-account-context", "context": {"cluster": "local", "user": user}}],
        "current-context": "service-account-context",
    })


def unauthenticated_kubeconfig(ca_bundle: bytes, server: str, user: str) -> bytes:
    """A kubeconfig that trusts the cluster but carries no credentials (worker nodes; see :mod:`kops.nodeup.run`)."""
    from kops.nodeup.yamlio import dump

    return dump({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "local", "cluster": {"certificate-authority-data": _b64(ca_bundle), "server": server}}],
        "users": [{"name": user, "user": {}}],
        "contexts": [{"name": "service-account-context", "context": {"cluster": "local", "user": user}}],
        "current-context": "service-account-context",
    })


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
