"""``kops create cluster --cloud gce``: the spec upstream kOps would store, built offline from the flags."""

from __future__ import annotations

from kops.testing.cli import groups, one_line_error


def test_minimal_cluster(dry_run):
    docs = dry_run("--zones", "us-central1-a", "--project", "my-project", "--networking", "cni",
                   "--kubernetes-version", "v1.32.0")
    spec = docs["Cluster"]["spec"]
    assert spec["cloudProvider"] == "gce"
    assert spec["project"] == "my-project"
    assert spec["cloudConfig"] == {}
    # One regional subnet, its range the first free /20 after 10.0.0.0/20; no network CIDR on GCE.
    assert spec["subnets"] == [{"name": "us-central1", "region": "us-central1", "type": "Public",
                                "cidr": "10.0.16.0/20"}]
    assert "networkCIDR" not in spec
    assert spec["nonMasqueradeCIDR"] == "100.64.0.0/10"
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}  # no class: that is AWS's
    assert [m["instanceGroup"] for m in spec["etcdClusters"][0]["etcdMembers"]] == ["control-plane-us-central1-a"]
    assert "encryptedVolume" not in spec["etcdClusters"][0]["etcdMembers"][0]
    igs = groups(docs)
    assert set(igs) == {"control-plane-us-central1-a", "nodes-us-central1-a"}
    for name, ig in igs.items():
        assert ig["zones"] == ["us-central1-a"]
        assert ig["subnets"] == ["us-central1"]
        assert ig["machineType"] == "e2-medium"
        assert ig["image"].startswith("ubuntu-os-cloud/ubuntu-2404-noble-amd64-")
        assert ig["nodeLabels"] == {"kops.k8s.io/instancegroup": name}


def test_ha_control_plane_spreads_over_zones_of_one_region(dry_run):
    zones = "europe-west4-a,europe-west4-b,europe-west4-c"
    docs = dry_run("--zones", zones, "--control-plane-zones", zones, "--project", "p", "--node-count", "5")
    spec = docs["Cluster"]["spec"]
    assert [s["name"] for s in spec["subnets"]] == ["europe-west4"]
    igs = groups(docs)
    for zone in zones.split(","):
        assert igs[f"control-plane-{zone}"]["zones"] == [zone]
        assert igs[f"control-plane-{zone}"]["role"] == "Master"
    assert [igs[f"nodes-europe-west4-{z}"]["minSize"] for z in "abc"] == [2, 2, 1]
    members = spec["etcdClusters"][0]["etcdMembers"]
    assert [m["name"] for m in members] == ["a", "b", "c"]


def test_more_control_plane_nodes_than_zones(dry_run):
    docs = dry_run("--zones", "us-east1-b", "--control-plane-count", "3", "--project", "p")
    igs = groups(docs)
    assert sorted(n for n in igs if n.startswith("control-plane")) == [
        "control-plane-us-east1-b-1", "control-plane-us-east1-b-2", "control-plane-us-east1-b-3"]
    assert [m["name"] for m in docs["Cluster"]["spec"]["etcdClusters"][0]["etcdMembers"]] == [
        "etcd-1", "etcd-2", "etcd-3"]


def test_private_topology_with_bastion(dry_run):
    docs = dry_run("--zones", "us-central1-a,us-central1-b", "--topology", "private", "--bastion",
                   "--networking", "calico", "--project", "p", "--control-plane-size", "e2-standard-2")
    spec = docs["Cluster"]["spec"]
    # GCE needs no utility subnets: load balancers and NAT are regional services.
    assert spec["subnets"] == [{"name": "us-central1", "region": "us-central1", "type": "Private",
                                "cidr": "10.0.16.0/20"}]
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}
    assert "bastion" not in spec["topology"]  # no DNS records to name it with
    igs = groups(docs)
    assert igs["bastions"]["role"] == "Bastion"
    assert igs["bastions"]["zones"] == ["us-central1-a", "us-central1-b"]
    assert igs["bastions"]["machineType"] == "e2-micro"
    assert igs["control-plane-us-central1-a"]["machineType"] == "e2-standard-2"


def test_public_dns_zone_publishes_the_api_name(dry_run):
    spec = dry_run("--zones", "us-central1-a", "--project", "p", "--dns-zone", "example.com")["Cluster"]["spec"]
    assert spec["topology"] == {"dns": {"type": "Public"}}
    assert spec["api"] == {"dns": {}}
    assert spec["masterPublicName"] == "api.c.example.com"
    assert spec["dnsZone"] == "example.com"


def test_dns_none_and_internal_load_balancer(dry_run):
    spec = dry_run("--zones", "us-central1-a", "--project", "p", "--dns", "none",
                   "--api-loadbalancer-type", "internal")["Cluster"]["spec"]
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"loadBalancer": {"type": "Internal"}}


def test_private_dns_with_a_gossip_style_name_uses_a_load_balancer(dry_run):
    spec = dry_run("--zones", "us-west1-a", "--project", "p", "--dns", "private",
                   name="apiserver.k8s.local")["Cluster"]["spec"]
    assert spec["topology"] == {"dns": {"type": "Private"}}
    assert spec["api"] == {"loadBalancer": {"type": "Public"}}


def test_service_account_labels_and_volumes(dry_run):
    docs = dry_run("--zones", "us-central1-a", "--project", "p",
                   "--gce-service-account", "vm@p.iam.gserviceaccount.com",
                   "--cloud-labels", 'Owner=John Doe,dn="cn=John Doe: dc=example dc=com", foo/bar=fib+baz',
                   "--control-plane-volume-size", "32", "--control-plane-volume-type", "pd-balanced",
                   "--node-volume-size", "64", "--node-security-groups", "tag-a,tag-b")
    spec = docs["Cluster"]["spec"]
    assert spec["cloudConfig"] == {"gceServiceAccount": "vm@p.iam.gserviceaccount.com"}
    assert spec["cloudLabels"] == {"Owner": "John Doe", "dn": "cn=John Doe: dc=example dc=com", "foo/bar": "fib+baz"}
    igs = groups(docs)
    assert (igs["control-plane-us-central1-a"]["rootVolumeSize"], igs["control-plane-us-central1-a"]["rootVolumeType"]) \
        == (32, "pd-balanced")
    assert igs["nodes-us-central1-a"]["rootVolumeSize"] == 64
    assert igs["nodes-us-central1-a"]["additionalSecurityGroups"] == ["tag-a", "tag-b"]


def test_api_server_groups(dry_run):
    docs = dry_run("--zones", "us-west1-a,us-west1-b,us-west1-c", "--project", "p", "--control-plane-count", "3",
                   "--api-server-count", "4", "--api-server-size", "e2-standard-2")
    igs = groups(docs)
    assert [igs[f"apiserver-us-west1-{z}"]["minSize"] for z in "abc"] == [2, 1, 1]
    assert igs["apiserver-us-west1-a"]["zones"] == ["us-west1-a"]
    assert igs["apiserver-us-west1-a"]["machineType"] == "e2-standard-2"


def test_gce_networking_uses_ip_alias_ranges(dry_run):
    spec = dry_run("--zones", "us-central1-a", "--project", "p", "--networking", "gce")["Cluster"]["spec"]
    assert spec["networking"] == {"gce": {}}
    # Pods, services and nodes each get the first free block of their size in 10.0.0.0/8.
    assert spec["podCIDR"] == "10.4.0.0/14"
    assert spec["serviceClusterIPRange"] == "10.1.0.0/16"
    assert spec["subnets"][0]["cidr"] == "10.0.32.0/19"
    assert spec["nonMasqueradeCIDR"] == "10.0.0.0/8"


def test_networking_choices_valid_on_gce(dry_run):
    for networking, key in (("kubenet", "kubenet"), ("calico", "calico"), ("cilium", "cilium"), ("cni", "cni"),
                            ("flannel", "flannel"), ("kindnet", "kindnet")):
        spec = dry_run("--zones", "us-central1-a", "--project", "p", "--networking", networking)["Cluster"]["spec"]
        assert key in spec["networking"], networking


def test_networking_that_only_works_on_aws_is_refused(kops):
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--project", "p",
             "--networking", "amazonvpc", "--dry-run", "-o", "yaml")
    assert "amazonvpc" in one_line_error(r) and "aws" in r.stderr


def test_zone_of_the_wrong_shape_is_named(kops):
    for zone in ("us-central1", "us-east-1a", "uscentral1-a"):
        r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", zone, "--project", "p")
        line = one_line_error(r)
        assert f"invalid GCE zone {zone!r}" in line


def test_network_cidr_is_refused_on_gce(kops):
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--project", "p",
             "--network-cidr", "10.0.0.0/16")
    assert "spec.networkCIDR" in one_line_error(r)


def test_kubenet_refuses_private_topology(kops):
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--project", "p",
             "--networking", "kubenet", "--topology", "private")
    assert "kubenet" in one_line_error(r)


def test_project_defaults_to_gclouds_configuration(kops, tmp_path):
    config = tmp_path / "gcloud"
    (config / "configurations").mkdir(parents=True)
    (config / "active_config").write_text("work\n")
    (config / "configurations" / "config_work").write_text("[core]\naccount = me@example.com\nproject = from-file\n")
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--dry-run", "-o",
             "yaml", env={"CLOUDSDK_CONFIG": str(config)})
    assert r.returncode == 0, r.stderr
    assert "project: from-file" in r.stdout
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--dry-run", "-o",
             "yaml", env={"CLOUDSDK_CONFIG": str(config), "CLOUDSDK_CORE_PROJECT": "from-env"})
    assert "project: from-env" in r.stdout


def test_no_project_anywhere_is_a_warning(kops):
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a", "--dry-run", "-o",
             "yaml")
    assert r.returncode == 0, r.stderr
    assert "project:" not in r.stdout
    assert "Warning: spec.project" in r.stderr and "--project" in r.stderr


def test_gs_state_store_guesses_gce(kops):
    flags = ("create", "cluster", "g.example.com", "--zones", "us-central1-a", "--project", "p", "--state",
             "gs://bucket")
    dry = kops(*flags, "--dry-run", "-o", "yaml")
    assert dry.returncode == 0, dry.stderr
    assert "cloudProvider: gce" in dry.stdout
    # The store is Cloud Storage's: with no Google credentials here (and no metadata server asked), it says so.
    line = one_line_error(kops(*flags, env={"NO_GCE_CHECK": "true"}))
    assert "state store gs://bucket: no usable Google credentials" in line


def test_zones_of_two_regions_are_refused(kops):
    r = kops("create", "cluster", "g.example.com", "--cloud", "gce", "--zones", "us-central1-a,us-east1-b",
             "--project", "p")
    line = one_line_error(r)
    assert "spec.subnets[1].region" in line and "cannot span regions" in line
