"""vSphere clusters given as manifests: upstream's settings checked, what vSphere cannot have refused; errors name
the field."""

from __future__ import annotations

import copy

import pytest
import yaml
from kops.testing.cli import one_line_error
from vsphere_kit import TEMPLATE

CLUSTER = {
    "apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "v.example.com"},
    "spec": {
        "cloudProvider": "vsphere", "kubernetesVersion": "v1.32.0", "networking": {"cilium": {}},
        "cloudConfig": {"vSphereServer": "vcenter.example.com", "vSphereDatacenter": "DC0",
                        "vSphereResourcePool": "/DC0/host/DC0_C0/Resources", "vSphereDatastore": "LocalDS_0"},
        "nonMasqueradeCIDR": "100.64.0.0/10", "api": {"dns": {}}, "topology": {"dns": {"type": "None"}},
        "subnets": [{"name": "DC0_C0", "zone": "DC0_C0", "type": "Public"}],
        "etcdClusters": [{"name": n, "etcdMembers": [{"name": "c0", "instanceGroup": "control-plane-dc0-c0"}]}
                         for n in ("main", "events")],
    },
}
GROUPS = [
    {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
     "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": "v.example.com"}},
     "spec": {"role": role, "minSize": 1, "maxSize": 1, "machineType": "2cpu-4gb", "image": TEMPLATE,
              "subnets": ["DC0_C0"]}}
    for name, role in (("control-plane-dc0-c0", "Master"), ("nodes", "Node"))
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


def config(**fields) -> dict:
    return {k: v for k, v in {**CLUSTER["spec"]["cloudConfig"], **fields}.items() if v is not None}


def test_a_valid_manifest_is_stored(kops, tmp_path):
    r = create(kops, tmp_path, manifest())
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("spec", [
    {"cloudConfig": config(vSphereServer="10.192.10.30")},
    {"cloudConfig": config(vSphereServer="[fd00::5]:8443")},
    {"networkID": "k8s-portgroup", "networkCIDR": "10.20.0.0/16"},
    {"subnets": [{"name": "c1", "zone": "Cluster 01", "type": "Public", "cidr": "10.20.1.0/24"}],
     "networkCIDR": "10.20.0.0/16"},
])
def test_what_vsphere_takes_is_stored(kops, tmp_path, spec):
    groups = copy.deepcopy(GROUPS)
    if "subnets" in spec:
        for g in groups:
            g["spec"]["subnets"] = ["c1"]
    r = create(kops, tmp_path, manifest(changed(**spec), groups))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(("spec", "path", "reason"), [
    ({"cloudConfig": config(vSphereServer=None)}, "spec.cloudConfig.vSphereServer", "required: the vCenter server"),
    ({"cloudConfig": config(vSphereDatacenter=None)}, "spec.cloudConfig.vSphereDatacenter", "--vsphere-datacenter"),
    ({"cloudConfig": config(vSphereResourcePool=None)}, "spec.cloudConfig.vSphereResourcePool", "VSPHERE_RESOURCE_POOL"),
    ({"cloudConfig": config(vSphereDatastore=None)}, "spec.cloudConfig.vSphereDatastore", "required"),
    ({"cloudConfig": config(vSphereServer="https://vc/sdk")}, "spec.cloudConfig.vSphereServer", "without a scheme"),
    ({"cloudConfig": config(vSphereServer="vc:http")}, "spec.cloudConfig.vSphereServer", "port"),
    ({"cloudConfig": config(vSphereServer="vc example")}, "spec.cloudConfig.vSphereServer", "host[:port]"),
    ({"cloudConfig": config(vSphereUsername="administrator@vsphere.local")}, "spec.cloudConfig.vSphereUsername",
     "VSPHERE_USERNAME"),
    ({"cloudConfig": config(vSpherePassword="secret")}, "spec.cloudConfig.vSpherePassword", "never stored"),
    ({"cloudConfig": config(vSphereCoreDNSServer="http://10.0.0.2:2379")}, "spec.cloudConfig.vSphereCoreDNSServer",
     "no DNS records"),
    ({"api": {"loadBalancer": {"type": "Public"}}}, "spec.api.loadBalancer", "no load balancer service"),
    ({"topology": {"dns": {"type": "Private"}}, "dnsZone": "skydns.local"}, "spec.topology.dns.type",
     "unsupported on vSphere: Private"),
    ({"subnets": [{"name": "DC0_C0", "type": "Public"}]}, "spec.subnets[0].zone", "required"),
    ({"subnets": [{"name": "DC0_C0", "zone": "DC0/host/DC0_C0", "type": "Public"}]}, "spec.subnets[0].zone",
     "not an inventory path"),
    ({"subnets": [{"name": "DC0_C0", "zone": "DC0_C0", "region": "DC0", "type": "Public"}]},
     "spec.subnets[0].region", "vSphereDatacenter"),
    ({"subnets": [{"name": "DC0_C0", "zone": "DC0_C0", "type": "Private"}]}, "spec.subnets[0].type", "no NAT"),
    ({"subnets": [{"name": "DC0_C0", "zone": "DC0_C0", "type": "Public", "id": "dvportgroup-1"}]},
     "spec.subnets[0].id", "networkID"),
    ({"subnets": [{"name": "DC0_C0", "zone": "DC0_C0", "type": "Public", "ipv6CIDR": "/64#0"}]},
     "spec.subnets[0].ipv6CIDR", "only be specified for AWS"),
    ({"networkCIDR": "10.0.0.0/16", "additionalNetworkCIDRs": ["10.1.0.0/16"]}, "spec.additionalNetworkCIDRs",
     "does not support"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only on AWS and OpenStack"),
])
def test_cluster_problems_name_the_field(kops, tmp_path, spec, path, reason):
    line = one_line_error(create(kops, tmp_path, manifest(changed(**spec))))
    assert f"Cluster/v.example.com: {path}" in line and reason in line


@pytest.mark.parametrize(("group_spec", "path", "reason"), [
    ({"image": None}, "spec.image", "the VM template to clone"),
    ({"machineType": "2cpu-4096mb"}, "spec.machineType", "CPUs and memory in GiB, such as 4cpu-8gb"),
    ({"machineType": "2cpu-0gb"}, "spec.machineType", "from 1 to 24576 GiB"),
    ({"role": "APIServer"}, "spec.role", "only on AWS and GCE"),
    ({"zones": ["a/b"]}, "spec.zones[0]", "invalid vSphere zone"),
    ({"containerd": {"nvidiaGPU": {"enabled": True}}}, "spec.containerd.nvidiaGPU", "only on AWS and OpenStack"),
])
def test_instance_group_problems_name_the_group_and_field(kops, tmp_path, group_spec, path, reason):
    groups = copy.deepcopy(GROUPS)
    groups[1]["spec"].update(group_spec)
    groups[1]["spec"] = {k: v for k, v in groups[1]["spec"].items() if v is not None}
    line = one_line_error(create(kops, tmp_path, manifest(groups=groups)))
    assert f"InstanceGroup/nodes: {path}: " in line and reason in line
