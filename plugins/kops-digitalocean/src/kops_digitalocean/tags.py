"""The tags and names of a cluster's DigitalOcean resources, as upstream kOps writes them, and what ownership is.

DigitalOcean tags are bare strings of letters, digits, ``:``, ``-`` and ``_``; upstream writes ``KEY:VALUE`` and,
since no tag or volume name holds a dot, names the cluster by its "safe" name (``dev.example.com`` ->
``dev-example-com``). Droplets carry ``KubernetesCluster:<safe>``, the control plane's also
``KubernetesCluster-Master:<safe>`` (the API load balancer's Droplet tag) and ``k8s-index:etcd-N``, every one
``kops-instancegroup:<group>`` and ``kops-instance-role:<role>``. etcd volumes carry ``KubernetesCluster:<safe>``,
``etcdCluster-<etcd>:<member>`` and ``k8s-index:<member>``, which etcd-manager finds them by.

Beyond upstream (which has no firewall and keeps no state-store ID): nodes also carry
``KubernetesCluster-Node:<safe>``, the nodes' firewall's target; Droplets and volumes carry
``kops-state-store:<id>``; Droplets carry ``kops-config:<hash>`` (the configuration they were made from) and
``kops-group-config:<hash>`` (their group's current one), which tell whether a Droplet is out of date, and a
Droplet taken out of its group carries ``kops-detached``; each Droplet carries ``kops-machine-key:<key>``, its own
key for proving who it is to the node credential service (made with the Droplet, never planned or stored).

Load balancers, VPCs, firewalls and SSH keys carry no tags: they are the cluster's by the names kops gives them.
"""

from __future__ import annotations

from collections.abc import Iterable

from kops.model import CONTROL_PLANE

CLUSTER = "KubernetesCluster"
CONTROL_PLANE_CLUSTER = "KubernetesCluster-Master"
NODE_CLUSTER = "KubernetesCluster-Node"
INDEX = "k8s-index"
INSTANCE_GROUP = "kops-instancegroup"
ROLE = "kops-instance-role"
ETCD_PREFIX = "etcdCluster-"
STORE = "kops-state-store"
CONFIG = "kops-config"
GROUP_CONFIG = "kops-group-config"
DETACHED = "kops-detached"
#: A Droplet's machine key (:mod:`kops_digitalocean.identity`): one tag per Droplet, made with it.
MACHINE_KEY = "kops-machine-key"
#: The tag keys kops marks ownership and standing with: a user's label may not become one.
OWNERSHIP_KEYS = (CLUSTER, CONTROL_PLANE_CLUSTER, NODE_CLUSTER, INDEX, INSTANCE_GROUP, ROLE, STORE, CONFIG,
                  GROUP_CONFIG, DETACHED, MACHINE_KEY)


def safe_name(cluster_name: str) -> str:
    """The cluster's name as tags and volume names can hold it (upstream's ``SafeClusterName``)."""
    return cluster_name.replace(".", "-")


def tag(key: str, value: str) -> str:
    return f"{key}:{value}"


def cluster_tag(cluster_name: str) -> str:
    """The tag every Droplet and volume of the cluster carries; listings and deletion find them by it."""
    return tag(CLUSTER, safe_name(cluster_name))


def role_tag(cluster_name: str, role: str) -> str:
    """The tag of the cluster's Droplets of a role: the control plane's upstream one, or the nodes' own."""
    return tag(CONTROL_PLANE_CLUSTER if role == CONTROL_PLANE else NODE_CLUSTER, safe_name(cluster_name))


def value(tags: Iterable[str], key: str) -> str | None:
    """The value of the ``KEY:VALUE`` tag with ``key``, or None."""
    prefix = key + ":"
    return next((t[len(prefix):] for t in tags if t.startswith(prefix)), None)


def owned(resource: dict, cluster_name: str) -> bool:
    """Whether a listed Droplet or volume is the cluster's (it carries the cluster's tag)."""
    return cluster_tag(cluster_name) in (resource.get("tags") or [])


def droplet_name(group_name: str, role: str, cluster_name: str) -> str:
    """A group's Droplets' name, as upstream's: ``<group>.masters.<cluster>`` or ``<group>.<cluster>``."""
    return f"{group_name}.masters.{cluster_name}" if role == CONTROL_PLANE else f"{group_name}.{cluster_name}"


def vpc_name(cluster_name: str) -> str:
    return "vpc-" + safe_name(cluster_name)


def load_balancer_name(cluster_name: str) -> str:
    return "api-" + safe_name(cluster_name)


def firewall_name(role: str, cluster_name: str) -> str:
    return f"{'control-plane' if role == CONTROL_PLANE else 'nodes'}.{cluster_name}"


def ssh_key_prefix(cluster_name: str) -> str:
    """The start of the admin SSH key's name (upstream's ``kubernetes.<cluster>-<fingerprint>``)."""
    return f"kubernetes.{cluster_name}-"


def volume_name(member: str, etcd: str, cluster_name: str) -> str:
    """An etcd member's volume, as upstream names it: ``kops-<member>-etcd-<etcd>-<safe>``, at most 64 characters."""
    return ("kops-" + safe_name(f"{member}.etcd-{etcd}.{cluster_name}"))[:64]
