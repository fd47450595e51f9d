"""Which cluster an OpenStack resource belongs to, as upstream marks it, and the state store's ID beside it.

- Neutron resources (networks, subnets, routers, ports, security groups, floating IPs) and Octavia load balancers
  carry string tags: ``KubernetesCluster=<name>`` (upstream's tag on ports) and ``kops.k8s.io_state-store=<id>``.
- Servers and Cinder volumes carry metadata: ``KubernetesCluster`` (and upstream's ``k8s``) valued with the
  cluster's name, the store's ID under ``kops.k8s.io_state-store``, and upstream's ``KopsInstanceGroup``,
  ``KopsRole``, ``KopsName`` and ``KopsNetwork`` on servers. Nova takes metadata keys of letters, digits and
  ``-_:. `` only, so ``/`` in a key becomes ``_`` as upstream writes them (``kops.k8s.io_instancegroup``).
- Server groups and SSH key pairs take neither: they are recognised by name (``<cluster>-<group>``,
  ``kubernetes.<cluster>-<fingerprint>``), checked further where a name could be another cluster's (see their
  tasks).

Every value is the cluster's exact name, so a look-alike cluster's resources never match, and a user's
``cloudLabels`` are written first and can overwrite none of these (the driver refuses them as labels).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from kops.ownership import STORE_TAG

CLUSTER_KEY = "KubernetesCluster"
#: Upstream's second cluster key on servers (its instance lookups read it).
K8S_KEY = "k8s"
INSTANCE_GROUP_KEY = "KopsInstanceGroup"
ROLE_KEY = "KopsRole"
#: A server's place in its group (``<group>-<n>-<cluster>``): kops makes a server for each missing one.
SLOT_KEY = "KopsName"
NETWORK_KEY = "KopsNetwork"
#: The state store's ID, as a key Nova accepts.
STORE_KEY = STORE_TAG.replace("/", "_")
#: A machine taken out of its group by a rolling update's surge, still running until it is deleted.
DETACHED_KEY = "KopsDetached"
#: The digest of what a server was made from (image, flavor, user data, ...): a different one needs an update.
CONFIG_KEY = "KopsConfig"

#: The server's machine key (:mod:`kops.nodeup.machinekey`), which it proves who it is with: set when kops makes
#: it, read by the server from its metadata service and by the node credential service from Nova; never planned.
MACHINE_KEY = "KopsMachineKey"

#: The keys of kops' own that a user's labels may not take.
OWN_KEYS = (CLUSTER_KEY, K8S_KEY, STORE_KEY, INSTANCE_GROUP_KEY, ROLE_KEY, SLOT_KEY, NETWORK_KEY, DETACHED_KEY,
            CONFIG_KEY, MACHINE_KEY)

_KEY_ILLEGAL = re.compile(r"[^a-zA-Z0-9\-_:. ]")


def metadata_key(key: str) -> str:
    """A key as Nova's metadata holds it: ``/`` and other characters it refuses become ``_``."""
    return _KEY_ILLEGAL.sub("_", key)[:255]


def cluster_tag(cluster_name: str) -> str:
    return f"{CLUSTER_KEY}={cluster_name}"


def tags(model: Any, extra: Iterable[str] = ()) -> list[str]:
    """A Neutron or Octavia resource's tags: ``extra``, then the cluster's and the store's."""
    found = [*extra, cluster_tag(model.cluster_name)]
    if model.store_id:
        found.append(f"{STORE_KEY}={model.store_id}")
    return sorted(set(found))


def metadata(model: Any, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A server's or volume's metadata: the user's ``cloudLabels``, then ``extra``, then the ownership keys."""
    found = {metadata_key(str(k)): str(v) for k, v in (model.cluster.spec.cloudLabels or {}).items()}
    found.update(extra or {})
    found[CLUSTER_KEY] = found[K8S_KEY] = model.cluster_name
    if model.store_id:
        found[STORE_KEY] = model.store_id
    return found


def owned_tags(found: Iterable[str] | None, cluster_name: str) -> bool:
    return cluster_tag(cluster_name) in (found or ())


def owned_metadata(found: Mapping[str, str] | None, cluster_name: str) -> bool:
    return (found or {}).get(CLUSTER_KEY) == cluster_name


def store_id_of(resource: Any) -> str | None:
    """The store ID a listed resource carries (in its tags or metadata), or None."""
    meta = getattr(resource, "metadata", None)
    if isinstance(meta, Mapping) and STORE_KEY in meta:
        return str(meta[STORE_KEY])
    prefix = f"{STORE_KEY}="
    return next((t[len(prefix):] for t in getattr(resource, "tags", None) or () if t.startswith(prefix)), None)
