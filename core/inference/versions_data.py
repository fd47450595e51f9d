"""Component versions and images a completed spec pins, as upstream kOps 1.35 ships them.

Kept as data in one place so a release bump is a one-file change. Entries that vary with the
Kubernetes version are keyed by the first Kubernetes minor version they apply to.
"""

from __future__ import annotations

#: etcd, by the first Kubernetes minor that gets it: 3.5 up to 1.33, 3.6 from 1.34, 3.7 from 1.37.
ETCD_BY_MINOR = ((0, "3.5.31"), (34, "3.6.12"), (37, "3.7.0"))

CONTAINERD_VERSION = "2.3.4"
#: The runc installed next to the default containerd (only when containerd's version is defaulted too).
RUNC_VERSION = "1.4.3"
SANDBOX_IMAGE = "registry.k8s.io/pause:3.10.1"

NVIDIA_DRIVER_PACKAGE = "nvidia-driver-535-server"
NVIDIA_DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.3"
GVISOR_PLATFORM = "systrap"

NODE_LOCAL_DNS_IMAGE = "registry.k8s.io/dns/k8s-dns-node-cache:1.26.0"
NODE_PROBLEM_DETECTOR_IMAGE = "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.18"

#: cluster-autoscaler follows the Kubernetes minor; minors not listed get the newest.
CLUSTER_AUTOSCALER_BY_MINOR = {
    32: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.7",
    33: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.5",
    34: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.4",
    35: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.1",
}
CLUSTER_AUTOSCALER_LATEST = "registry.k8s.io/autoscaling/cluster-autoscaler:v1.36.0"


def by_minor(table: tuple[tuple[int, str], ...], minor: int) -> str:
    """The entry of a ``(first minor, value)`` table that applies to ``minor``."""
    found = table[0][1]
    for first, value in table:
        if minor >= first:
            found = value
    return found
