"""GCE clusters given as manifests are checked as upstream kOps checks them; errors name the field."""

from __future__ import annotations

import copy

import pytest
import yaml
from kops.testing.cli import one_line_error

CLUSTER = {
    "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "v.example.com"},
    "spec": {
        "cloudProvider": "gce", "project": "p", "kubernetesVersion": "v1.32.0", "networking": {"cni": {}},
        "nonMasqueradeCIDR": "100.64.0.0/10", "api": {"loadBalancer": {"type": "Public"}},
        "topology": {"dns": {"type": "None"}},
        "subnets": [{"name": "us-central1", "region": "us-central1", "type": "Public"}],
        "etcdClusters": [{"name": n, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-central1-a"}]}
                         for n in ("main", "events")],
    },
}
GROUPS = [
    {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
     "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": "v.example.com"}},
     "spec": {"role": role, "minSize": 1, "maxSize": 1, "machineType": "e2-medium", "subnets": ["us-central1"],
              "zones": ["us-central1-a"]}}
    for name, role in (("control-plane-us-central1-a", "Master"), ("nodes", "Node"))
]


def manifest(cluster: dict | None = None, groups: list | None = None) -> str:
    return yaml.safe_dump_all([cluster or CLUSTER, *(GROUPS if groups is None else groups)])


def create(kops, tmp_path, text: str):
    path = tmp_path / "in.yaml"
    path.write_text(text)
    return kops("create", "-f", str(path))


def test_a_valid_manifest_is_stored(kops, tmp_path):
    r = create(kops, tmp_path, manifest())
    assert r.returncode == 0, r.stderr


def changed(**spec) -> dict:
    cluster = copy.deepcopy(CLUSTER)
    cluster["spec"].update(spec)
    return cluster


@pytest.mark.parametrize(("spec", "path", "reason"), [
    ({"subnets": [{"name": "us-central1", "region": "us-central1", "zone": "us-central1-a", "type": "Public"}]},
     "spec.subnets[0].zone", "regional"),
    ({"subnets": [{"name": "us-central1", "type": "Public"}]}, "spec.subnets[0]", "region"),
    ({"subnets": [{"name": "us-central1", "region": "us-central1", "type": "Public"},
                  {"name": "us-east1", "region": "us-east1", "type": "Public"}]},
     "spec.subnets[1].region", "cannot span regions"),
    ({"networkCIDR": "10.0.0.0/16"}, "spec.networkCIDR", "gce does not support networkCIDR"),
    ({"additionalNetworkCIDRs": ["10.1.0.0/16"]}, "spec.additionalNetworkCIDRs", "does not support"),
    ({"subnets": [{"name": "us-central1", "region": "us-central1", "type": "Public", "ipv6CIDR": "/64#0"}]},
     "spec.subnets[0].ipv6CIDR", "only be specified for AWS"),
    ({"networkID": "a/b/c"}, "spec.networkID", "project/network"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only on AWS and OpenStack"),
])
def test_cluster_problems_name_the_field(kops, tmp_path, spec, path, reason):
    line = one_line_error(create(kops, tmp_path, manifest(changed(**spec))))
    assert f"Cluster/v.example.com: {path}" in line and reason in line


@pytest.mark.parametrize(("group_spec", "path", "reason"), [
    ({"zones": None}, "spec.zones", "required"),
    ({"zones": ["us-central1"]}, "spec.zones[0]", "invalid GCE zone"),
    ({"zones": ["us-east1-b"]}, "spec.zones[0]", "not in the cluster's region us-central1"),
    ({"gcpProvisioningModel": "CHEAP"}, "spec.gcpProvisioningModel", "STANDARD, SPOT"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only on AWS and OpenStack"),
])
def test_instance_group_problems_name_the_group_and_field(kops, tmp_path, group_spec, path, reason):
    groups = copy.deepcopy(GROUPS)
    groups[1]["spec"].update(group_spec)
    groups[1]["spec"] = {k: v for k, v in groups[1]["spec"].items() if v is not None}
    line = one_line_error(create(kops, tmp_path, manifest(groups=groups)))
    assert f"InstanceGroup/nodes: {path}: " in line and reason in line


def test_spot_provisioning_is_accepted(kops, tmp_path):
    groups = copy.deepcopy(GROUPS)
    groups[1]["spec"]["gcpProvisioningModel"] = "SPOT"
    assert create(kops, tmp_path, manifest(groups=groups)).returncode == 0


def test_gce_networking_is_refused_elsewhere(kops, tmp_path):
    cluster = changed(cloudProvider="aws", networkCIDR="172.20.0.0/16", networking={"gce": {}},
                      subnets=[{"name": "us-east-1a", "zone": "us-east-1a", "type": "Public",
                                "cidr": "172.20.32.0/19"}])
    groups = copy.deepcopy(GROUPS)
    for g in groups:
        g["spec"]["subnets"] = ["us-east-1a"]
        g["spec"]["machineType"] = "t3.medium"
        del g["spec"]["zones"]
    line = one_line_error(create(kops, tmp_path, manifest(cluster, groups)))
    assert "spec.networking.gce" in line and "only on GCE" in line


def test_ip_aliases_need_exactly_one_subnet(kops, tmp_path):
    cluster = changed(networking={"gce": {}}, subnets=[
        {"name": "a", "region": "us-central1", "type": "Public"},
        {"name": "b", "region": "us-central1", "type": "Public"}])
    groups = copy.deepcopy(GROUPS)
    for g in groups:
        g["spec"]["subnets"] = ["a"]
    line = one_line_error(create(kops, tmp_path, manifest(cluster, groups)))
    assert "exactly one subnet" in line
