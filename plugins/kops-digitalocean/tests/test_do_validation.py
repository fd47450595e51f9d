"""DigitalOcean clusters given as manifests are checked as upstream kOps checks them; errors name the field."""

from __future__ import annotations

import copy

import pytest
import yaml
from kops.testing.cli import one_line_error

CLUSTER = {
    "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "v.example.com"},
    "spec": {
        "cloudProvider": "digitalocean", "kubernetesVersion": "v1.32.0", "networking": {"cilium": {}},
        "nonMasqueradeCIDR": "100.64.0.0/10", "api": {"loadBalancer": {"type": "Public"}},
        "topology": {"dns": {"type": "None"}},
        "subnets": [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public"}],
        "etcdClusters": [{"name": n, "etcdMembers": [{"name": "etcd-1", "instanceGroup": "control-plane-nyc1-1"}]}
                         for n in ("main", "events")],
    },
}
GROUPS = [
    {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
     "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": "v.example.com"}},
     "spec": {"role": role, "minSize": 1, "maxSize": 1, "machineType": "s-2vcpu-4gb", "image": "ubuntu-24-04-x64",
              "subnets": ["nyc1"]}}
    for name, role in (("control-plane-nyc1-1", "Master"), ("nodes", "Node"))
]


def manifest(cluster: dict | None = None, groups: list | None = None) -> str:
    return yaml.safe_dump_all([cluster or CLUSTER, *(GROUPS if groups is None else groups)])


def create(kops, tmp_path, text: str):
    path = tmp_path / "in.yaml"
    path.write_text(text)
    return kops("create", "-f", str(path))


def changed(**spec) -> dict:
    cluster = copy.deepcopy(CLUSTER)
    cluster["spec"].update(spec)
    return cluster


def test_a_valid_manifest_is_stored(kops, tmp_path):
    r = create(kops, tmp_path, manifest())
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("spec", [
    {"networkCIDR": "10.0.0.0/16"},
    {"networkCIDR": "172.16.0.0/16"},
    {"networkCIDR": "192.168.0.0/20"},
    {"networkID": "5a4981aa-9653-4bd1-bef5-d6bff52042e4"},
    {"topology": {"dns": {"type": "Public"}}, "dnsZone": "example.com", "api": {"dns": {}}},
])
def test_what_upstream_accepts_is_stored(kops, tmp_path, spec):
    r = create(kops, tmp_path, manifest(changed(**spec)))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(("spec", "path", "reason"), [
    ({"subnets": [{"name": "nyc1", "zone": "nyc1", "type": "Public"}]}, "spec.subnets[0].region", "required"),
    ({"subnets": [{"name": "nyc1", "region": "New York", "zone": "nyc1", "type": "Public"}]},
     "spec.subnets[0].region", "invalid DigitalOcean region"),
    ({"subnets": [{"name": "nyc1", "region": "nyc1", "type": "Public"},
                  {"name": "ams3", "region": "ams3", "type": "Public"}]},
     "spec.subnets[1].region", "cannot span regions"),
    ({"subnets": [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public"},
                  {"name": "ams3", "region": "ams3", "zone": "ams3", "type": "Public"}]},
     "spec.subnets[1].zone", "in one region"),
    ({"subnets": [{"name": "nyc1", "region": "nyc1", "zone": "nyc3", "type": "Public"}]},
     "spec.subnets[0].zone", "zone is its region"),
    ({"subnets": [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Private"}]},
     "spec.subnets[0].type", "no NAT gateways"),
    ({"subnets": [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public", "id": "s-1"}]},
     "spec.subnets[0].id", "networkID"),
    ({"subnets": [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public", "ipv6CIDR": "/64#0"}]},
     "spec.subnets[0].ipv6CIDR", "only be specified for AWS"),
    ({"networkCIDR": "8.8.0.0/16"}, "spec.networkCIDR", "private range"),
    ({"networkCIDR": "10.0.0.0/16", "networkID": "5a4981aa"}, "spec.networkCIDR", "not both"),
    ({"networkCIDR": "10.0.0.0/16", "additionalNetworkCIDRs": ["10.1.0.0/16"]}, "spec.additionalNetworkCIDRs",
     "does not support"),
    ({"topology": {"dns": {"type": "Private"}}, "dnsZone": "example.com"}, "spec.topology.dns.type",
     "no private zones"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only on AWS and OpenStack"),
    ({"cloudLabels": {"KubernetesCluster": "other-cluster"}}, "spec.cloudLabels[KubernetesCluster]", "kops sets it"),
    ({"cloudLabels": {"kops-instancegroup": "nodes"}}, "spec.cloudLabels[kops-instancegroup]", "marks ownership"),
    ({"cloudLabels": {"etcdCluster-main": "x"}}, "spec.cloudLabels[etcdCluster-main]", "marks ownership"),
])
def test_cluster_problems_name_the_field(kops, tmp_path, spec, path, reason):
    line = one_line_error(create(kops, tmp_path, manifest(changed(**spec))))
    assert f"Cluster/v.example.com: {path}" in line and reason in line


@pytest.mark.parametrize(("group_spec", "path", "reason"), [
    ({"machineType": "S-2VCPU"}, "spec.machineType", "not a DigitalOcean Droplet size slug"),
    ({"role": "APIServer"}, "spec.role", "only on AWS and GCE"),
    ({"zones": ["sfo3"]}, "spec.zones[0]", "not the cluster's region nyc1"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only on AWS and OpenStack"),
])
def test_instance_group_problems_name_the_group_and_field(kops, tmp_path, group_spec, path, reason):
    groups = copy.deepcopy(GROUPS)
    groups[1]["spec"].update(group_spec)
    line = one_line_error(create(kops, tmp_path, manifest(groups=groups)))
    assert f"InstanceGroup/nodes: {path}: " in line and reason in line
