"""``kops create cluster --cloud digitalocean``: the spec upstream kOps would store, built offline from the flags."""

from __future__ import annotations

import pytest
from kops.testing.cli import groups, one_line_error


def test_minimal_cluster(dry_run):
    docs = dry_run("--zones", "nyc1", "--kubernetes-version", "v1.32.0")
    spec = docs["Cluster"]["spec"]
    assert spec["cloudProvider"] == "digitalocean"
    # The region is the subnet, its zone and its region; DigitalOcean gives it no CIDR, and without --network-cidr
    # the region's default VPC is used, so there is no network CIDR either.
    assert spec["subnets"] == [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public"}]
    assert "networkCIDR" not in spec and "networkID" not in spec
    assert spec["nonMasqueradeCIDR"] == "100.64.0.0/10"
    # No DNS zone: dns none, and the API behind a load balancer.
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}
    assert "cloudConfig" not in spec
    # Control-plane groups are numbered even one per region, and etcd members take the numbers.
    for etcd in spec["etcdClusters"]:
        assert etcd["etcdMembers"] == [{"name": "etcd-1", "instanceGroup": "control-plane-nyc1-1"}]
    igs = groups(docs)
    assert set(igs) == {"control-plane-nyc1-1", "nodes-nyc1"}
    for name, ig in igs.items():
        assert ig["subnets"] == ["nyc1"]
        assert "zones" not in ig
        assert ig["machineType"] == "s-2vcpu-4gb-amd"
        assert ig["image"] == "ubuntu-24-04-x64"
        assert ig["nodeLabels"] == {"kops.k8s.io/instancegroup": name}
    assert igs["control-plane-nyc1-1"]["role"] == "Master"


def test_ha_control_plane_in_one_region(dry_run):
    # Upstream's own example: --zones NYC1 --control-plane-zones NYC1; region slugs are lowercase.
    docs = dry_run("--zones", "NYC1", "--control-plane-zones", "NYC1", "--control-plane-count", "3",
                   "--node-count", "3", "--networking", "cilium", "--api-loadbalancer-type", "public")
    spec = docs["Cluster"]["spec"]
    assert spec["subnets"] == [{"name": "nyc1", "region": "nyc1", "zone": "nyc1", "type": "Public"}]
    igs = groups(docs)
    assert sorted(n for n in igs if n.startswith("control-plane")) == [
        "control-plane-nyc1-1", "control-plane-nyc1-2", "control-plane-nyc1-3"]
    assert igs["nodes-nyc1"]["minSize"] == igs["nodes-nyc1"]["maxSize"] == 3
    assert [m["name"] for m in spec["etcdClusters"][0]["etcdMembers"]] == ["etcd-1", "etcd-2", "etcd-3"]
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}


def test_dns_zone_hosted_by_digitalocean_publishes_the_api_name(dry_run):
    spec = dry_run("--zones", "ams3", "--dns-zone", "example.com")["Cluster"]["spec"]
    assert spec["topology"] == {"dns": {"type": "Public"}}
    assert spec["dnsZone"] == "example.com"
    assert spec["api"] == {"dns": {}}
    assert spec["masterPublicName"] == "api.c.example.com"


def test_gossip_style_name_uses_a_load_balancer(dry_run):
    spec = dry_run("--zones", "sfo3", name="dev.k8s.local")["Cluster"]["spec"]
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}
    assert "masterPublicName" not in spec


def test_sizes_image_vpc_and_internal_load_balancer(dry_run):
    docs = dry_run("--zones", "fra1", "--node-size", "c2-16vcpu-32gb", "--control-plane-size", "s-4vcpu-8gb",
                   "--image", "debian-12-x64", "--network-cidr", "10.10.0.0/16", "--api-loadbalancer-type", "internal",
                   "--node-volume-size", "48")
    spec = docs["Cluster"]["spec"]
    assert spec["networkCIDR"] == "10.10.0.0/16"
    assert spec["subnets"] == [{"name": "fra1", "region": "fra1", "zone": "fra1", "type": "Public"}]  # no CIDR
    assert spec["api"] == {"loadBalancer": {"type": "Internal"}}
    igs = groups(docs)
    assert igs["nodes-fra1"]["machineType"] == "c2-16vcpu-32gb"
    assert igs["control-plane-fra1-1"]["machineType"] == "s-4vcpu-8gb"
    assert {ig["image"] for ig in igs.values()} == {"debian-12-x64"}
    assert igs["nodes-fra1"]["rootVolumeSize"] == 48


def test_shared_vpc(dry_run):
    spec = dry_run("--zones", "nyc3", "--network-id", "5a4981aa-9653-4bd1-bef5-d6bff52042e4")["Cluster"]["spec"]
    assert spec["networkID"] == "5a4981aa-9653-4bd1-bef5-d6bff52042e4"
    assert "networkCIDR" not in spec


def test_do_state_store_guesses_digitalocean(kops):
    r = kops("create", "cluster", "do.example.com", "--zones", "nyc1", "--state", "do://bucket", "--dry-run", "-o",
             "yaml")
    assert r.returncode == 0, r.stderr
    assert "cloudProvider: digitalocean" in r.stdout


@pytest.mark.parametrize(("flags", "wanted"), [
    (("--zones", "nyc1,nyc3"), "--zones: a DigitalOcean cluster runs in one region, its only zone (such as nyc1), "
                               "not nyc1, nyc3"),
    (("--zones", "nyc1", "--control-plane-zones", "lon1"), "one region"),
    (("--zones", "new-york-1"), "invalid DigitalOcean region 'new-york-1': a zone is a region, such as nyc1"),
    (("--zones", "nyc1", "--dns", "private", "--dns-zone", "example.com"),
     "Cluster/do.example.com: spec.topology.dns.type: DigitalOcean DNS has no private zones"),
    (("--zones", "nyc1", "--topology", "private", "--networking", "calico"),
     "Cluster/do.example.com: spec.subnets[0].type: unsupported on DigitalOcean: Private"),
    (("--zones", "nyc1", "--network-cidr", "203.0.113.0/24"), "spec.networkCIDR: '203.0.113.0/24' is not in a private"),
    (("--zones", "nyc1", "--network-cidr", "10.10.0.0/16", "--network-id", "vpc-uuid"),
     "spec.networkCIDR: give either a VPC to share (networkID) or a CIDR for a new one, not both"),
    (("--zones", "nyc1", "--network-cidr", "10.10.0.0/16,10.20.0.0/16"), "spec.additionalNetworkCIDRs"),
    (("--zones", "nyc1", "--subnets", "subnet-1"), "spec.subnets[0].id: DigitalOcean has no subnets to share"),
    (("--zones", "nyc1", "--node-size", "Big Droplet"),
     "InstanceGroup/nodes-nyc1: spec.machineType: 'Big Droplet' is not a DigitalOcean Droplet size slug"),
    (("--zones", "nyc1", "--api-server-count", "1"), "InstanceGroup/apiserver-nyc1: spec.role: the APIServer role"),
    (("--zones", "nyc1", "--networking", "amazonvpc"), "amazonvpc"),
])
def test_what_digitalocean_cannot_do_is_one_line_naming_the_flag_or_field(kops, flags, wanted):
    r = kops("create", "cluster", "do.example.com", "--cloud", "digitalocean", "--dry-run", "-o", "yaml", *flags)
    assert wanted in one_line_error(r)
