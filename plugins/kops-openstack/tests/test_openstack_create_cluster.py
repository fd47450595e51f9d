"""``kops create cluster --cloud openstack``: the spec upstream kOps would store, built offline from the flags."""

from __future__ import annotations

import pytest
from kops.testing.cli import groups, one_line_error

BASE = ("--zones", "nova", "--network-cidr", "10.0.0.0/16", "--image", "ubuntu-24.04", "--networking", "cni")


def test_minimal_cluster(dry_run):
    docs = dry_run(*BASE, "--kubernetes-version", "v1.32.0")
    spec = docs["Cluster"]["spec"]
    assert spec["cloudProvider"] == "openstack"
    assert spec["cloudConfig"] == {"openstack": {
        "router": {"externalNetwork": ""},
        "blockStorage": {"bs-version": "v3", "ignore-volume-az": False, "clusterName": "c.example.com"},
        "monitor": {"delay": "15s", "timeout": "10s", "maxRetries": 3},
    }}
    assert spec["cloudControllerManager"] == {"clusterName": "c.example.com"}
    assert spec["networkCIDR"] == "10.0.0.0/16"
    assert spec["subnets"] == [{"name": "nova", "zone": "nova", "type": "Public", "cidr": "10.0.0.0/16"}]
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}
    assert "project" not in spec
    igs = groups(docs)
    assert set(igs) == {"control-plane-nova", "nodes-nova"}
    for name, ig in igs.items():
        assert ig["image"] == "ubuntu-24.04"
        assert ig["subnets"] == ["nova"]
        assert "zones" not in ig
        assert ig["machineType"] == "m1.medium"
        assert ig["nodeLabels"] == {"kops.k8s.io/instancegroup": name}
    assert "encryptedVolume" not in spec["etcdClusters"][0]["etcdMembers"][0]


def test_ha_control_plane_in_one_zone(dry_run):
    docs = dry_run(*BASE, "--control-plane-count", "3", "--control-plane-size", "m1.large", "--node-size", "m1.xlarge")
    igs = groups(docs)
    assert sorted(n for n in igs if n.startswith("control-plane")) == [
        "control-plane-nova-1", "control-plane-nova-2", "control-plane-nova-3"]
    assert igs["control-plane-nova-1"]["machineType"] == "m1.large"
    assert igs["nodes-nova"]["machineType"] == "m1.xlarge"
    members = docs["Cluster"]["spec"]["etcdClusters"][0]["etcdMembers"]
    assert [m["name"] for m in members] == ["etcd-1", "etcd-2", "etcd-3"]


def test_several_zones_get_a_subnet_each(dry_run):
    spec = dry_run("--zones", "zone-1,zone-2,zone-3", "--network-cidr", "10.1.0.0/16", "--image", "debian-12",
                   "--networking", "cni")["Cluster"]["spec"]
    assert [(s["name"], s["cidr"]) for s in spec["subnets"]] == [
        ("zone-1", "10.1.0.0/18"), ("zone-2", "10.1.64.0/18"), ("zone-3", "10.1.128.0/18")]


def test_private_topology_with_octavia(dry_run):
    docs = dry_run(*BASE, "--topology", "private", "--bastion", "--api-loadbalancer-type", "public",
                   "--os-octavia", "--os-ext-net", "vlan1", "--os-ext-subnet", "vlan1subnet",
                   "--os-lb-floating-subnet", "vlan1lbsubnet", "--os-dns-servers", "1.1.1.1")
    spec = docs["Cluster"]["spec"]
    openstack = spec["cloudConfig"]["openstack"]
    assert openstack["router"] == {"externalNetwork": "vlan1", "externalSubnet": "vlan1subnet",
                                   "dnsServers": "1.1.1.1"}
    assert openstack["loadbalancer"] == {"floatingNetwork": "vlan1", "floatingSubnet": "vlan1lbsubnet",
                                         "method": "ROUND_ROBIN", "provider": "octavia", "useOctavia": True}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}
    assert spec["subnets"] == [
        {"name": "nova", "zone": "nova", "type": "Private", "cidr": "10.0.128.0/17"},
        {"name": "utility-nova", "zone": "nova", "type": "Utility", "cidr": "10.0.0.0/20"},
    ]
    bastion = groups(docs)["bastions"]
    assert bastion["machineType"] == "m1.small" and "zones" not in bastion


@pytest.mark.parametrize(("flags", "provider", "method", "octavia"), [
    ((), "haproxy", "ROUND_ROBIN", False),
    (("--os-octavia",), "octavia", "ROUND_ROBIN", True),
    (("--os-octavia", "--os-octavia-provider", "ovn"), "ovn", "SOURCE_IP_PORT", True),
    (("--os-octavia-provider", "ovn"), "haproxy", "ROUND_ROBIN", False),  # the provider is Octavia's
])
def test_api_load_balancer_provider(dry_run, flags, provider, method, octavia):
    spec = dry_run(*BASE, "--api-loadbalancer-type", "internal", *flags)["Cluster"]["spec"]
    lb = spec["cloudConfig"]["openstack"]["loadbalancer"]
    assert (lb["provider"], lb["method"], lb["useOctavia"], lb["floatingNetwork"]) == (provider, method, octavia, "")
    assert spec["api"] == {"loadBalancer": {"type": "Internal"}}


def test_no_load_balancer_section_without_a_load_balancer_type(dry_run):
    spec = dry_run(*BASE, "--topology", "private")["Cluster"]["spec"]
    assert "loadbalancer" not in spec["cloudConfig"]["openstack"]
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}


def test_volume_zones_network_and_dns(dry_run):
    spec = dry_run(*BASE, "--os-kubelet-ignore-az", "--os-network", "net-1234", "--dns", "private",
                   "--os-ext-net", "ext")["Cluster"]["spec"]
    assert spec["cloudConfig"]["openstack"]["blockStorage"]["ignore-volume-az"] is True
    assert spec["networkID"] == "net-1234"
    assert spec["topology"] == {"dns": {"type": "Private"}}
    assert spec["api"] == {"dns": {}}


def test_dns_none_with_a_dns_name(dry_run):
    spec = dry_run(*BASE, "--dns", "none", name="ha.example.com")["Cluster"]["spec"]
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}
    assert "masterPublicName" not in spec


@pytest.mark.parametrize(("networking", "key"), [
    ("calico", "calico"), ("cilium", "cilium"), ("flannel", "flannel"), ("kubenet", "kubenet"), ("cni", "cni"),
])
def test_networking_choices_valid_on_openstack(dry_run, networking, key):
    spec = dry_run("--zones", "nova", "--network-cidr", "10.0.0.0/16", "--image", "u", "--networking",
                   networking)["Cluster"]["spec"]
    assert key in spec["networking"]


@pytest.mark.parametrize(("networking", "cloud"), [("amazonvpc", "aws"), ("gce", "gce")])
def test_networking_of_another_cloud_is_refused(kops, networking, cloud):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", "--zones", "nova", "--network-cidr",
             "10.0.0.0/16", "--image", "u", "--networking", networking)
    line = one_line_error(r)
    assert networking in line and cloud in line


def test_image_is_required(kops):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", "--zones", "nova", "--network-cidr",
             "10.0.0.0/16", "--networking", "cni")
    line = one_line_error(r)
    assert "--image" in line and "control-plane-nova" in line


def test_network_cidr_is_required(kops):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", "--zones", "nova", "--image", "u",
             "--networking", "cni")
    assert "spec.networkCIDR" in one_line_error(r) and "--network-cidr" in r.stderr


def test_zone_of_the_wrong_shape_is_named(kops):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", "--zones", "my zone", "--network-cidr",
             "10.0.0.0/16", "--image", "u")
    assert "invalid OpenStack zone 'my zone'" in one_line_error(r)


def test_api_server_groups_are_refused(kops):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", *BASE, "--api-server-count", "1")
    line = one_line_error(r)
    assert "InstanceGroup/apiserver-nova: spec.role" in line


def test_additional_network_cidrs_are_refused(kops):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", "--zones", "nova", "--image", "u",
             "--networking", "cni", "--network-cidr", "10.0.0.0/16,10.1.0.0/16")
    assert "spec.additionalNetworkCIDRs" in one_line_error(r)


def test_shared_subnets_without_a_network_warn(kops):
    r = kops("create", "cluster", "o.example.com", "--cloud", "openstack", *BASE, "--subnets", "subnet-1",
             "--dry-run", "-o", "yaml")
    assert r.returncode == 0, r.stderr
    assert "Warning: spec.networkID" in r.stderr and "--os-network" in r.stderr


def test_a_swift_state_store_without_credentials_says_how_to_give_them(kops):
    r = kops("create", "cluster", "o.example.com", *BASE, "--state", "swift://bucket")
    assert one_line_error(r) == ("Error: state store swift://bucket: no OpenStack credentials: source the cloud's "
                                 "openrc (OS_AUTH_URL, OS_USERNAME, ...) first")
