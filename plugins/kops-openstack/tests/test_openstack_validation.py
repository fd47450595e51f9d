"""OpenStack clusters given as manifests are checked as upstream kOps checks them; errors name the field."""

from __future__ import annotations

import copy

import pytest
import yaml
from kops.testing.cli import one_line_error

CLUSTER = {
    "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "v.example.com"},
    "spec": {
        "cloudProvider": "openstack", "kubernetesVersion": "v1.32.0", "networking": {"cni": {}},
        "networkCIDR": "10.0.0.0/16", "nonMasqueradeCIDR": "100.64.0.0/10",
        "api": {"loadBalancer": {"type": "Public"}}, "topology": {"dns": {"type": "None"}},
        "cloudConfig": {"openstack": {"router": {"externalNetwork": "ext"}}},
        "subnets": [{"name": "nova", "zone": "nova", "type": "Public", "cidr": "10.0.0.0/16"}],
        "etcdClusters": [{"name": n, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-nova"}]}
                         for n in ("main", "events")],
    },
}
GROUPS = [
    {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
     "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": "v.example.com"}},
     "spec": {"role": role, "minSize": 1, "maxSize": 1, "machineType": "m1.medium", "image": "u",
              "subnets": ["nova"]}}
    for name, role in (("control-plane-nova", "Master"), ("nodes", "Node"))
]


def create(kops, tmp_path, cluster: dict | None = None, groups: list | None = None):
    path = tmp_path / "in.yaml"
    path.write_text(yaml.safe_dump_all([cluster or CLUSTER, *(GROUPS if groups is None else groups)]))
    return kops("create", "-f", str(path))


def changed(**spec) -> dict:
    cluster = copy.deepcopy(CLUSTER)
    cluster["spec"].update(spec)
    return cluster


def test_a_valid_manifest_is_stored(kops, tmp_path):
    r = create(kops, tmp_path)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(("spec", "path", "reason"), [
    ({"cloudConfig": {}}, "spec.subnets[0].type", "requires an external network"),
    ({"additionalNetworkCIDRs": ["10.1.0.0/16"]}, "spec.additionalNetworkCIDRs", "does not support"),
    ({"subnets": [{"name": "nova", "zone": "nova", "type": "Public", "cidr": "10.0.0.0/16", "ipv6CIDR": "/64#0"}]},
     "spec.subnets[0].ipv6CIDR", "only be specified for AWS"),
    ({"subnets": [{"name": "nova", "zone": "no va", "type": "Public", "cidr": "10.0.0.0/16"}]},
     "spec.subnets[0].zone", "invalid OpenStack zone"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only in instance groups"),
    ({"cloudConfig": {"manageStorageClasses": True, "openstack": {
        "router": {"externalNetwork": "ext"}, "blockStorage": {"createStorageClass": False}}}},
     "spec.cloudConfig.manageStorageClasses", "disagree"),
])
def test_cluster_problems_name_the_field(kops, tmp_path, spec, path, reason):
    line = one_line_error(create(kops, tmp_path, changed(**spec)))
    assert f"Cluster/v.example.com: {path}: " in line and reason in line


def test_private_subnets_need_no_external_network(kops, tmp_path):
    cluster = changed(cloudConfig={}, subnets=[{"name": "nova", "zone": "nova", "type": "Private",
                                                "cidr": "10.0.0.0/16"}])
    assert create(kops, tmp_path, cluster).returncode == 0


def test_nvidia_in_an_instance_group_is_accepted(kops, tmp_path):
    groups = copy.deepcopy(GROUPS)
    groups[1]["spec"]["containerd"] = {"nvidiaGPU": {"enabled": True}}
    assert create(kops, tmp_path, groups=groups).returncode == 0


@pytest.mark.parametrize(("group_spec", "path", "reason"), [
    ({"role": "APIServer"}, "spec.role", "only on AWS and GCE"),
    ({"zones": ["nova", "a,b"]}, "spec.zones[1]", "invalid OpenStack zone"),
])
def test_instance_group_problems_name_the_group_and_field(kops, tmp_path, group_spec, path, reason):
    groups = copy.deepcopy(GROUPS)
    groups[1]["spec"].update(group_spec)
    line = one_line_error(create(kops, tmp_path, groups=groups))
    assert f"InstanceGroup/nodes: {path}: " in line and reason in line
