"""Every name kops derives for an AWS resource is one AWS and its emulator accept, for every valid cluster name."""

from __future__ import annotations

import itertools
import re

import pytest
from cli_kit import create, kops, owned_anything
from kops.names import validate_cluster_name
from kops_aws.instancegroups import API_SERVER, BASTION, CONTROL_PLANE, NODE, iam_role_name
from kops_aws.naming import cluster_name40, name32, queue_name_prefix

#: Elastic Load Balancing: 1 to 32 letters, digits and hyphens, no hyphen first, last or twice in a row.
ELB_NAME = re.compile(r"^(?=.{1,32}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
EVENT_RULE = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
SQS_QUEUE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
IAM_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
PREFIXES = ("api", "bastion", "tcp", "tls", "kops-controller", "etcd-cilium")


def cluster_names() -> list[str]:
    """Valid cluster names of every awkward shape: short, long, hyphens where cuts fall, IDN labels, 63-char labels."""
    names = ["a.b", "day2.k8s.local", "honest-j.example.com", "xn--bcher-kva.example.com", "a--b.example.com",
             "9.example.com", "l" * 63 + "." + "m" * 63 + "." + "n" * 63 + "." + "o" * 61]
    for length, hyphen_at in itertools.product(range(3, 60, 3), range(1, 40, 4)):
        label = ("x" * length)
        if hyphen_at < length - 1:
            label = label[:hyphen_at] + "-" + label[hyphen_at + 1:]
        names.append(f"{label}.example.com")
    for name in names:
        validate_cluster_name(name)
    return names


@pytest.mark.parametrize("cluster", cluster_names())
def test_derived_names_are_valid_for_aws(cluster):
    for prefix in PREFIXES:
        assert ELB_NAME.match(name32(cluster, prefix)), (prefix, name32(cluster, prefix))
    for suffix in ("ASGLifecycle", "SpotInterruption", "InstanceStateChange", "InstanceScheduledChange",
                   "RebalanceRecommendation"):
        assert EVENT_RULE.match(f"{cluster_name40(cluster)}-{suffix}")
    assert SQS_QUEUE.match(queue_name_prefix(cluster) + "-nth")
    for role in (CONTROL_PLANE, API_SERVER, NODE, BASTION):
        assert IAM_NAME.match(iam_role_name(role, cluster))


def test_upstream_names_are_kept_where_they_are_valid():
    # From upstream's Terraform for these clusters; the second squeezes upstream's api-minimal-ipv6-example--jhj9te.
    assert name32("minimal.example.com", "api") == "api-minimal-example-com-gecgf7"
    assert name32("minimal.example.com", "kops-controller") == "kops-controller-minimal-e-uvauf3"
    assert name32("minimal-ipv6.example.com", "api") == "api-minimal-ipv6-example-jhj9te"


@pytest.mark.parametrize("cluster", ["honest-j.example.com", "day2.k8s.local"])
def test_clusters_whose_names_upstream_cuts_badly_apply_on_the_emulator(lab, cluster):
    lab["name"] = cluster
    create(lab, "--dns", "none")
    kops(lab, "update", "cluster", cluster, "--yes")
    assert kops(lab, "update", "cluster", cluster, "--detailed-exitcode", check=False).returncode == 0
    kops(lab, "delete", "cluster", cluster, "--yes")
    assert owned_anything(cluster) == []
