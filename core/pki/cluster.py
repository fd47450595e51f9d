"""Which CA keysets a cluster needs, and creating the missing ones.

The list follows upstream's model: the cluster CA, the API aggregation CA, the service-account signing key,
for each etcd cluster an etcd-manager CA and a peers CA, one clients CA shared by the etcd clusters (plus
a separate one for a ``cilium`` etcd cluster), and the discovery CA when a discovery service is configured.
Keysets that exist are never touched, so running :func:`ensure_cluster_pki` again changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from kops.errors import KopsError
from kops.pki.keyset import new_ca_keyset
from kops.pki.keystore import Keystore

log = logging.getLogger(__name__)

#: The keyset that signs cluster certificates, admin credentials included.
KUBERNETES_CA = "kubernetes-ca"
SERVICE_ACCOUNT = "service-account"
APISERVER_AGGREGATOR_CA = "apiserver-aggregator-ca"
ETCD_CLIENTS_CA = "etcd-clients-ca"
DISCOVERY_CA = "discovery-ca"
#: etcd clusters a cluster gets when its spec names none.
DEFAULT_ETCD_CLUSTERS = ("main", "events")


def is_rotatable(name: str) -> bool:
    """Keysets ``kops create/promote/distrust keypair`` may change, as upstream: CAs and the service-account key."""
    return name == SERVICE_ACCOUNT or "-ca" in name


def cluster_ca_keysets(cluster: Any) -> list[str]:
    """Names of the CA keysets ``cluster`` (an API ``Cluster``) needs; each has subject ``cn=NAME``."""
    spec = cluster.spec
    names = [KUBERNETES_CA, APISERVER_AGGREGATOR_CA, SERVICE_ACCOUNT]
    etcd = [e.name for e in (spec.etcdClusters or []) if e.name] or list(DEFAULT_ETCD_CLUSTERS)
    for etcd_name in etcd:
        names += [f"etcd-manager-ca-{etcd_name}", f"etcd-peers-ca-{etcd_name}"]
        if etcd_name == "cilium":
            names.append(f"{ETCD_CLIENTS_CA}-cilium")
    names.append(ETCD_CLIENTS_CA)
    discovery = spec.serviceAccountIssuerDiscovery
    if discovery is not None and discovery.discoveryService is not None and discovery.discoveryService.url:
        names.append(DISCOVERY_CA)
    return list(dict.fromkeys(names))


def new_cluster_keysets(cluster: Any) -> dict[str, bytes]:
    """New CA keysets for a new cluster, as the store writes that hold them (all private)."""
    from kops.pki.keystore import keyset_path

    out = {}
    for name in cluster_ca_keysets(cluster):
        keyset = new_ca_keyset(name)
        keyset.check()
        out[keyset_path(cluster.metadata.name, name)] = keyset.to_yaml()
    return out


def ensure_cluster_pki(store: Any, cluster_name: str) -> list[str]:
    """Create the CA keysets ``cluster_name`` needs and does not have yet, in one commit; return their names.

    A concurrent run that creates some of them first wins for those; this one then adds only what is
    still missing.
    """
    from kops.registry import Registry
    from kops.state import ConflictError

    cluster = Registry(store).cluster(cluster_name)
    keystore = Keystore(store, cluster_name)
    wanted = cluster_ca_keysets(cluster)
    for _ in range(3):
        missing = [name for name in wanted if keystore.find(name) is None]
        if not missing:
            return []
        keysets = [new_ca_keyset(name) for name in missing]
        try:
            keystore.save(*keysets)
        except ConflictError:
            continue
        log.info("created keysets %s for cluster %s", ", ".join(missing), cluster_name)
        return missing
    raise KopsError(f"cluster {cluster_name!r}: other writers kept creating its keysets at the same time; retry")
