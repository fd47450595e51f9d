"""Validation: a consistent manifest passes, and each kind of mistake is reported at its field."""

import pytest
from kops.api import Cluster, InstanceGroup, load_objects
from kops.api.validation import MAX_KUBERNETES_VERSION, MIN_KUBERNETES_VERSION, validate
from kops.cloud import CloudProvider
from kops.errors import FieldError
from upstream_fixtures import manifest_id, upstream_manifests

MANIFEST = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: demo.example.com
spec:
  cloudProvider: aws
  kubernetesVersion: v1.32.0
  networkCIDR: 172.20.0.0/16
  additionalNetworkCIDRs: [10.1.0.0/16]
  nonMasqueradeCIDR: 100.64.0.0/10
  serviceClusterIPRange: 100.64.0.0/13
  podCIDR: 100.96.0.0/11
  networking:
    calico: {}
  topology:
    dns:
      type: Public
  sshAccess: [0.0.0.0/0, "::/0"]
  kubernetesApiAccess: [10.0.0.0/8, pl-0123abcd]
  subnets:
  - {name: us-east-1a, zone: us-east-1a, cidr: 172.20.32.0/19, type: Private}
  - {name: us-east-1b, zone: us-east-1b, cidr: 10.1.0.0/19, type: Private}
  - {name: utility-us-east-1a, zone: us-east-1a, cidr: 172.20.0.0/22, type: Utility, ipv6CIDR: "/64#1"}
  etcdClusters:
  - name: main
    etcdMembers:
    - {name: a, instanceGroup: control-plane-us-east-1a}
  - name: events
    etcdMembers:
    - {name: a, instanceGroup: control-plane-us-east-1a}
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: control-plane-us-east-1a
spec:
  role: ControlPlane
  minSize: 1
  maxSize: 1
  subnets: [us-east-1a]
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes
spec:
  role: Node
  minSize: 2
  maxSize: 5
  subnets: [us-east-1a, us-east-1b]
"""


def load(text: str = MANIFEST) -> tuple[Cluster, list[InstanceGroup]]:
    cluster, *groups = load_objects(text)
    return cluster, groups


def problems(cluster, groups, cloud=None) -> list[tuple[str, str, str]]:
    errors = validate(cluster, groups, cloud)
    assert all(isinstance(error, FieldError) and "\n" not in str(error) for error in errors)
    return [(error.document, error.path, error.reason) for error in errors]


def test_consistent_manifest_passes():
    assert problems(*load()) == []


@pytest.mark.parametrize("path", upstream_manifests(completed=False), ids=manifest_id)
def test_upstream_manifests_pass(path):
    objects = load_objects(path.read_text())
    cluster = next(obj for obj in objects if isinstance(obj, Cluster))
    groups = [obj for obj in objects if isinstance(obj, InstanceGroup)]
    assert problems(cluster, groups) == REFUSED_UPSTREAM.get(f"{path.parent.parent.name}/{path.parent.name}", [])


#: Upstream cases whose manifests carry what a node refuses: kops refuses them where upstream's nodes would fail.
REFUSED_UPSTREAM = {
    # kubelet refuses the taint effect "c" (NoSchedule, PreferNoSchedule or NoExecute), so these nodes never register.
    "update_cluster/ha_gce": [("InstanceGroup/nodes", "spec.taints[0]", "'a=b:c' is not a taint: expected key[=value]:Effect, "
                                                         "Effect one of NoSchedule, PreferNoSchedule, NoExecute")],
}


def set_cluster(**changes):
    def mutate(cluster, groups):
        for dotted, value in changes.items():
            *parents, leaf = dotted.split("__")
            target = cluster.spec
            for part in parents:
                target = target[int(part)] if part.isdigit() else getattr(target, part)
            setattr(target, leaf, value)

    return mutate


def set_group(index, **changes):
    def mutate(cluster, groups):
        for field, value in changes.items():
            if field == "name":
                groups[index].metadata.name = value
            else:
                setattr(groups[index].spec, field, value)

    return mutate


CLUSTER = "Cluster/demo.example.com"
NODES = "InstanceGroup/nodes"

CASES = {
    "networkCIDR syntax": (set_cluster(networkCIDR="172.20.0.0/33"), CLUSTER, "spec.networkCIDR", "not a valid CIDR"),
    "address without prefix": (
        set_cluster(nonMasqueradeCIDR="100.64.0.0"),
        CLUSTER,
        "spec.nonMasqueradeCIDR",
        'did you mean "100.64.0.0/32"',
    ),
    "host bits set": (
        set_cluster(serviceClusterIPRange="100.64.0.1/13"),
        CLUSTER,
        "spec.serviceClusterIPRange",
        'did you mean "100.64.0.0/13"',
    ),
    "podCIDR syntax": (set_cluster(podCIDR="pods"), CLUSTER, "spec.podCIDR", "not a valid CIDR"),
    "additional network syntax": (
        set_cluster(additionalNetworkCIDRs=["10.1.0.0/16", "10.2.0.0"]),
        CLUSTER,
        "spec.additionalNetworkCIDRs[1]",
        "not a valid CIDR",
    ),
    "subnet cidr syntax": (
        set_cluster(subnets__0__cidr="172.20.32.0"),
        CLUSTER,
        "spec.subnets[0].cidr",
        "not a valid CIDR",
    ),
    "subnet outside networks": (
        set_cluster(subnets__1__cidr="192.168.0.0/24"),
        CLUSTER,
        "spec.subnets[1].cidr",
        "not inside spec.networkCIDR or any of spec.additionalNetworkCIDRs",
    ),
    "subnets overlap": (
        set_cluster(subnets__1__cidr="172.20.33.0/24"),
        CLUSTER,
        "spec.subnets[1].cidr",
        "overlaps spec.subnets[0].cidr 172.20.32.0/19",
    ),
    "subnet overlaps service range": (
        set_cluster(networkCIDR="100.64.0.0/10", subnets__0__cidr="100.64.0.0/19", subnets__2__cidr="100.80.0.0/22"),
        CLUSTER,
        "spec.subnets[0].cidr",
        "overlaps spec.serviceClusterIPRange",
    ),
    "ipv6 cidr syntax": (
        set_cluster(subnets__2__ipv6CIDR="/64"),
        CLUSTER,
        "spec.subnets[2].ipv6CIDR",
        "not a valid CIDR",
    ),
    "ipv6 cidr family": (
        set_cluster(subnets__2__ipv6CIDR="10.9.0.0/16"),
        CLUSTER,
        "spec.subnets[2].ipv6CIDR",
        "not an IPv6 CIDR",
    ),
    "subnet type": (set_cluster(subnets__0__type="Internal"), CLUSTER, "spec.subnets[0].type", "must be one of Public"),
    "subnet type missing": (set_cluster(subnets__0__type=None), CLUSTER, "spec.subnets[0].type", "required"),
    "subnet zone missing": (set_cluster(subnets__1__zone=None), CLUSTER, "spec.subnets[1].zone", "required"),
    "subnet name duplicate": (
        set_cluster(subnets__1__name="us-east-1a"),
        CLUSTER,
        "spec.subnets[1].name",
        "duplicate subnet name 'us-east-1a'",
    ),
    "kubernetes version syntax": (
        set_cluster(kubernetesVersion="1.32"),
        CLUSTER,
        "spec.kubernetesVersion",
        "not a Kubernetes version",
    ),
    "kubernetes version too old": (
        set_cluster(kubernetesVersion="v1.27.3"),
        CLUSTER,
        "spec.kubernetesVersion",
        "Kubernetes 1.27 is not supported",
    ),
    "kubernetes version too new": (
        set_cluster(kubernetesVersion=f"{MAX_KUBERNETES_VERSION[0]}.{MAX_KUBERNETES_VERSION[1] + 1}.0"),
        CLUSTER,
        "spec.kubernetesVersion",
        "is not supported",
    ),
    "dns type": (set_cluster(topology__dns__type="Gossip"), CLUSTER, "spec.topology.dns.type", "must be one of Public"),
    "topology value": (
        set_cluster(topology__masters="Public"),
        CLUSTER,
        "spec.topology.masters",
        "must be one of public",
    ),
    "no networking": (
        set_cluster(networking__calico=None),
        CLUSTER,
        "spec.networking",
        "exactly one networking option",
    ),
    "two networking options": (
        set_cluster(networking__cilium={}),
        CLUSTER,
        "spec.networking",
        "found calico, cilium",
    ),
    "removed networking": (
        set_cluster(networking__calico=None, networking__weave={}),
        CLUSTER,
        "spec.networking.weave",
        "no longer supported",
    ),
    "ssh access not a cidr": (
        set_cluster(sshAccess=["0.0.0.0/0", "anywhere"]),
        CLUSTER,
        "spec.sshAccess[1]",
        "not a valid CIDR",
    ),
    "api access not a cidr": (
        set_cluster(kubernetesApiAccess=["1.2.3.4"]),
        CLUSTER,
        "spec.kubernetesApiAccess[0]",
        'did you mean "1.2.3.4/32"',
    ),
    "etcd name duplicate": (
        set_cluster(etcdClusters__1__name="main"),
        CLUSTER,
        "spec.etcdClusters[1].name",
        "duplicate",
    ),
    "etcd name unknown": (
        set_cluster(etcdClusters__1__name="audit"),
        CLUSTER,
        "spec.etcdClusters[1].name",
        "must be one of main",
    ),
    "etcd even members": (
        lambda c, g: c.spec.etcdClusters[0].etcdMembers.append(c.spec.etcdClusters[0].etcdMembers[0].copy()),
        CLUSTER,
        "spec.etcdClusters[0].etcdMembers",
        "use an odd number",
    ),
    "etcd member group missing": (
        set_cluster(etcdClusters__0__etcdMembers__0__instanceGroup="control-plane-us-east-1z"),
        CLUSTER,
        "spec.etcdClusters[0].etcdMembers[0].instanceGroup",
        "'control-plane-us-east-1z' does not exist",
    ),
    "etcd member on node group": (
        set_cluster(etcdClusters__1__etcdMembers__0__instanceGroup="nodes"),
        CLUSTER,
        "spec.etcdClusters[1].etcdMembers[0].instanceGroup",
        "has role Node, not ControlPlane",
    ),
    "cluster name upper case": (
        lambda c, g: setattr(c.metadata, "name", "Demo.example.com"),
        "Cluster/Demo.example.com",
        "metadata.name",
        "not a valid DNS name",
    ),
    "cluster name label too long": (
        lambda c, g: setattr(c.metadata, "name", "a" * 64 + ".example.com"),
        "Cluster/" + "a" * 64 + ".example.com",
        "metadata.name",
        "at most 63 characters",
    ),
    "cluster name too long": (
        lambda c, g: setattr(c.metadata, "name", ".".join(["a" * 60] * 5)),
        "Cluster/" + ".".join(["a" * 60] * 5),
        "metadata.name",
        "at most 253 characters",
    ),
    "cluster name not qualified": (
        lambda c, g: setattr(c.metadata, "name", "demo"),
        "Cluster/demo",
        "metadata.name",
        "fully-qualified",
    ),
    "group role": (set_group(1, role="Worker"), NODES, "spec.role", "must be one of ControlPlane"),
    "group role missing": (set_group(1, role=None), NODES, "spec.role", "required"),
    "group min above max": (set_group(1, minSize=6), NODES, "spec.maxSize", "must be at least minSize (5 < 6)"),
    "group negative size": (set_group(1, minSize=-1), NODES, "spec.minSize", "must not be negative"),
    "group unknown subnet": (
        set_group(1, subnets=["us-east-1a", "us-east-1c"]),
        NODES,
        "spec.subnets[1]",
        "subnet 'us-east-1c' is not defined in the cluster",
    ),
    "control-plane group without subnets": (
        set_group(0, subnets=[]),
        "InstanceGroup/control-plane-us-east-1a",
        "spec.subnets",
        "required: a control-plane group names the subnets of its machines",
    ),
    "group name invalid": (
        set_group(1, name="Nodes_A"),
        "InstanceGroup/Nodes_A",
        "metadata.name",
        "not a valid name",
    ),
    "group name duplicate": (
        set_group(1, name="control-plane-us-east-1a"),
        "InstanceGroup/control-plane-us-east-1a",
        "metadata.name",
        "duplicate instance group name",
    ),
}


@pytest.mark.parametrize(("mutate", "document", "path", "reason"), CASES.values(), ids=CASES.keys())
def test_mistake_is_reported_at_its_field(mutate, document, path, reason):
    cluster, groups = load()
    mutate(cluster, groups)
    found = problems(cluster, groups)
    assert any(d == document and p == path and reason in r for d, p, r in found), found


def test_all_problems_are_reported_together():
    cluster, groups = load()
    cluster.spec.networkCIDR = "bad"
    groups[1].spec.role = "Worker"
    paths = [path for _, path, _ in problems(cluster, groups)]
    assert "spec.networkCIDR" in paths and "spec.role" in paths


def test_message_names_object_and_field():
    cluster, groups = load()
    groups[1].spec.minSize = -2
    (error,) = validate(cluster, groups)
    assert str(error) == "InstanceGroup/nodes: spec.minSize: must not be negative (it is -2)"


def test_supported_range_bounds_are_inclusive():
    for major, minor in (MIN_KUBERNETES_VERSION, MAX_KUBERNETES_VERSION):
        cluster, groups = load()
        cluster.spec.kubernetesVersion = f"{major}.{minor}.0"
        assert problems(cluster, groups) == []


def test_release_urls_and_prereleases_are_versions():
    for version in ("v1.33.0-rc.1", "https://dl.k8s.io/ci/v1.33.0-alpha.1.123+abcdef"):
        cluster, groups = load()
        cluster.spec.kubernetesVersion = version
        assert problems(cluster, groups) == []


def test_dns_none_allows_a_single_label_name():
    cluster, groups = load()
    cluster.metadata.name = "demo"
    cluster.spec.topology.dns.type = "None"
    assert problems(cluster, groups) == []


class RegionalCloud(CloudProvider):
    name = "gce"
    regional_subnets = True


def test_cloud_with_regional_subnets_requires_region():
    cluster, groups = load()
    cluster.spec.kubernetesApiAccess = ["10.0.0.0/8"]
    found = problems(cluster, groups, cloud=RegionalCloud())
    assert (CLUSTER, "spec.subnets[0].region", "required: subnets on gce belong to a region") in found
    for subnet in cluster.spec.subnets:
        subnet.zone, subnet.region = None, "us-east1"
    assert problems(cluster, groups, cloud=RegionalCloud()) == []


def test_prefix_lists_only_where_the_cloud_has_them():
    """Whether an access list may name a managed prefix list is the cloud driver's to say (AWS has them)."""
    from kops.validation import problems as all_problems

    cluster, groups = load()
    assert [e for e in all_problems(cluster, groups) if "prefix list" in str(e)] == []
    cluster.spec.cloudProvider = "gce"
    found = [str(e) for e in all_problems(cluster, groups) if "prefix list" in str(e)]
    assert found == ["Cluster/demo.example.com: spec.kubernetesApiAccess[1]: 'pl-0123abcd': gce has no managed "
                     "prefix lists; give a CIDR"]


def test_a_group_without_subnets_is_placed_as_upstream_places_it():
    """Upstream fills in the subnets of a group other than the control plane that names none: only a cluster with
    nothing but utility subnets leaves it nowhere to go."""
    from kops.inference.completion import complete_instance_groups

    cluster, groups = load()
    groups[1].spec.subnets = None
    assert problems(cluster, groups) == []
    completed = complete_instance_groups(cluster.to_dict(), [g.to_dict() for g in groups], None, None)
    assert completed[1]["spec"]["subnets"] == ["us-east-1a", "us-east-1b"]
    assert "subnets" not in groups[1].to_dict()["spec"]  # the stored group is left as it is
    for subnet in cluster.spec.subnets:
        subnet.type = "Utility"
    assert (NODES, "spec.subnets", "required: the cluster has no subnet (other than utility ones) to place the "
                                   "group in") in problems(cluster, groups)


def test_a_shared_subnet_may_leave_its_zone_and_cidr_to_a_cloud_that_reads_them():
    """A subnet given by ``id`` needs no zone or CIDR where the cloud's driver reads them at update time (AWS), and a
    shared network no CIDR; one subnet at least must still give a zone, which tells the region."""
    from kops.validation import problems as all_problems

    cluster, groups = load()
    cluster.spec.networkID, cluster.spec.networkCIDR, cluster.spec.additionalNetworkCIDRs = "vpc-1", None, None
    for i, subnet in enumerate(cluster.spec.subnets):
        subnet.id, subnet.cidr = f"subnet-{i}", None
    cluster.spec.subnets[0].zone = None
    assert problems(cluster, groups) == []
    assert all_problems(cluster, groups) == []
    for subnet in cluster.spec.subnets:
        subnet.zone = None
    assert [str(e) for e in all_problems(cluster, groups)] == [
        "Cluster/demo.example.com: spec.subnets[0].zone: required in one subnet at least: the zones of shared "
        "subnets are looked up in the cluster's region, which only a zone given tells"]
    cluster.spec.subnets[1].zone = "us-east-1b"
    cluster.spec.cloudProvider = "openstack"
    found = [str(e) for e in all_problems(cluster, groups) if "look up" in str(e)]
    assert found == [f"Cluster/demo.example.com: spec.subnets[{i}].zone: required: kops cannot look up the zone of a "
                     "shared subnet on openstack yet" for i in (0, 2)]


def test_subnets_are_all_shared_or_all_made_by_kops():
    """As upstream: some subnets given by ``id`` and others without one are refused, naming the first odd one."""
    cluster, groups = load()
    cluster.spec.subnets[1].id = "subnet-1"
    assert (CLUSTER, "spec.subnets[1].id", "cannot mix subnets with an id (shared) and without one (made by "
                                           "kops)") in problems(cluster, groups)
