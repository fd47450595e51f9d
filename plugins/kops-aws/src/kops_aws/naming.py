"""AWS names with length limits, shortened the way upstream kOps shortens them.

Load balancer and target group names may hold 32 characters, EventBridge rule names are built on a
40-character cluster prefix, SQS queue names may not contain dots. The cut and hash are upstream's, from
:mod:`kops.names`.
"""

from __future__ import annotations

import re

from kops.names import truncate

#: Upstream's limit for IAM role and instance profile names.
MAX_IAM_NAME = 64


def name32(cluster_name: str, prefix: str) -> str:
    """A load balancer or target group name: ``api-minimal-example-com-gecgf7`` (always hashed, 32 at most).

    Upstream's name, except where it would hold two hyphens in a row (a cut that ends in one, as for
    ``kops-controller-day2-k8s-local``, or a cluster name with ``--``), which Elastic Load Balancing's
    emulators refuse: there the hyphens are squeezed into one, keeping the hash of upstream's name.
    """
    name = truncate(prefix + "-" + cluster_name.replace(".", "-"), 32, always_hash=True)
    if "--" not in name:
        return name
    base, digest = name.rsplit("-", 1)
    return re.sub("-{2,}", "-", base).strip("-") + "-" + digest


def cluster_name40(cluster_name: str) -> str:
    """The cluster name cut to 40 characters (with a hash when cut): the prefix of EventBridge rule names."""
    return truncate(cluster_name, 40)


def queue_name_prefix(cluster_name: str) -> str:
    """The cluster name as an SQS queue name may hold it: dots become dashes, 75 characters at most."""
    return truncate(cluster_name.replace(".", "-"), 75)


def iam_name(text: str) -> str:
    """An IAM role or instance profile name, cut (with a hash) to the 64 characters IAM allows."""
    return truncate(text, MAX_IAM_NAME)
