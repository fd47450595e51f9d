"""A cluster's PKI and secrets, stored as upstream kOps stores them.

- :mod:`kops.pki.certs`: keys and certificates (RSA 2048, upstream's subjects, usages and lifetimes).
- :mod:`kops.pki.keyset`: keysets with a primary keypair, staged and distrusted ones, for rotation.
- :mod:`kops.pki.keystore`: keysets in the state store at ``{cluster}/pki/private/{name}/keyset.yaml``.
- :mod:`kops.pki.cluster`: the CA keysets a cluster needs; :func:`ensure_cluster_pki` creates missing ones.
- :mod:`kops.pki.issue`: certificates signed by a keyset's primary keypair.
- :mod:`kops.pki.secrets` and :mod:`kops.pki.secret_formats`: ``{cluster}/secrets/{name}`` and their checks.
- :mod:`kops.pki.kubeconfig`: the kubeconfig entries ``kops export kubeconfig`` merges.

This package imports ``cryptography``; command modules import it inside their functions only.
"""

from kops.pki.cluster import KUBERNETES_CA, SERVICE_ACCOUNT, cluster_ca_keysets, ensure_cluster_pki, is_rotatable
from kops.pki.issue import IssuedCertificate, issue_certificate
from kops.pki.keyset import Keyset, KeysetItem, new_ca_keyset
from kops.pki.keystore import Keystore, keyset_path

__all__ = ["KUBERNETES_CA", "SERVICE_ACCOUNT", "IssuedCertificate", "Keyset", "KeysetItem", "Keystore",
           "cluster_ca_keysets", "ensure_cluster_pki", "is_rotatable", "issue_certificate", "keyset_path",
           "new_ca_keyset"]
