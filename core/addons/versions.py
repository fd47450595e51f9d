"""Images and versions of the add-ons core puts in every bootstrap channel, as upstream kOps 1.35 ships them.

Kept as data in one place so a release bump is a one-file change.
"""

from kops.versions import KOPS_COMPAT_VERSION

COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.14.2"
#: cluster-proportional-autoscaler, which sizes CoreDNS to the cluster.
CPA_IMAGE = "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0"
#: dns-controller is released with kOps itself, under kOps' version.
DNS_CONTROLLER_IMAGE = f"registry.k8s.io/kops/dns-controller:{KOPS_COMPAT_VERSION}"

#: Versions of the manifests kOps writes itself (no image of their own): bumped when their objects change.
LIMIT_RANGE_VERSION = "1.5.0"
KUBELET_API_RBAC_VERSION = "1.9.0"
