"""``kops create cluster --cloud vsphere``: upstream's vSphere settings as flags defaulting to the ``VSPHERE_*``
variables, a zone per compute cluster, VM sizes as machine types; built offline."""

from __future__ import annotations

import pytest
import yaml
from kops.testing import cli
from kops.testing.cli import groups, one_line_error
from kops.testing.testbed import environment
from vsphere_kit import TEMPLATE


def test_minimal_cluster_from_the_exported_settings(dry_run):
    docs = dry_run("--zones", "DC0_C0", "--kubernetes-version", "v1.32.0")
    spec = docs["Cluster"]["spec"]
    assert spec["cloudProvider"] == "vsphere"
    assert spec["cloudConfig"] == {"vSphereServer": "vcenter.example.com", "vSphereDatacenter": "DC0",
                                   "vSphereResourcePool": "/DC0/host/DC0_C0/Resources",
                                   "vSphereDatastore": "LocalDS_0"}
    # A zone is a compute cluster; VMs sit on their port group's network, so kops carves no CIDRs.
    assert spec["subnets"] == [{"name": "DC0_C0", "zone": "DC0_C0", "type": "Public"}]
    assert "networkCIDR" not in spec and "networkID" not in spec
    # No DNS records and no load balancer: the API is reached at the control plane's addresses.
    assert spec["topology"] == {"dns": {"type": "None"}}
    assert spec["api"] == {"dns": {}}
    # Group names carry the compute cluster's name as a DNS label.
    igs = groups(docs)
    assert set(igs) == {"control-plane-dc0-c0", "nodes-dc0-c0"}
    for name, ig in igs.items():
        assert ig["subnets"] == ["DC0_C0"]
        assert ig["image"] == TEMPLATE
        assert ig["machineType"] == "2cpu-4gb"
        assert ig["nodeLabels"] == {"kops.k8s.io/instancegroup": name}
    assert [m["instanceGroup"] for m in spec["etcdClusters"][0]["etcdMembers"]] == ["control-plane-dc0-c0"]


def test_flags_win_over_the_variables_and_credentials_stay_out(dry_run):
    spec = dry_run("--zones", "Cluster 01", "--vsphere-server", "10.0.0.5:8443", "--vsphere-datacenter", "Lab",
                   "--vsphere-resource-pool", "Cluster 01/Resources/kops", "--vsphere-datastore", "vsanDatastore",
                   "--network-id", "k8s-portgroup",
                   env={"VSPHERE_USERNAME": "administrator@vsphere.local", "VSPHERE_PASSWORD": "s3cret!"},
                   )["Cluster"]["spec"]
    assert spec["cloudConfig"] == {"vSphereServer": "10.0.0.5:8443", "vSphereDatacenter": "Lab",
                                   "vSphereResourcePool": "Cluster 01/Resources/kops",
                                   "vSphereDatastore": "vsanDatastore"}
    assert spec["networkID"] == "k8s-portgroup"
    assert "s3cret" not in yaml.safe_dump(spec) and "administrator" not in yaml.safe_dump(spec)


def test_the_network_defaults_to_vsphere_network(dry_run):
    spec = dry_run("--zones", "DC0_C0", env={"VSPHERE_NETWORK": "VM Network"})["Cluster"]["spec"]
    assert spec["networkID"] == "VM Network"


def test_ha_over_three_compute_clusters(dry_run):
    zones = "DC0_C0,DC0_C1,DC0_C2"
    docs = dry_run("--zones", zones, "--control-plane-zones", zones, "--node-count", "5",
                   "--control-plane-size", "4cpu-8gb", "--node-size", "8cpu-32gb")
    spec = docs["Cluster"]["spec"]
    assert [s["zone"] for s in spec["subnets"]] == ["DC0_C0", "DC0_C1", "DC0_C2"]
    igs = groups(docs)
    assert {n: ig["machineType"] for n, ig in igs.items() if n.startswith("control-plane")} == {
        "control-plane-dc0-c0": "4cpu-8gb", "control-plane-dc0-c1": "4cpu-8gb", "control-plane-dc0-c2": "4cpu-8gb"}
    assert [igs[f"nodes-dc0-c{i}"]["minSize"] for i in range(3)] == [2, 2, 1]
    assert igs["nodes-dc0-c1"]["machineType"] == "8cpu-32gb"
    assert [m["name"] for m in spec["etcdClusters"][0]["etcdMembers"]] == ["etcd-0", "etcd-1", "etcd-2"]


@pytest.mark.parametrize(("flags", "env", "wanted"), [
    ((), {"VSPHERE_SERVER": ""}, "--vsphere-server: required for vSphere (the vCenter server, host[:port] without "
                                 "https://); pass it, or set VSPHERE_SERVER"),
    ((), {"VSPHERE_DATACENTER": ""}, "--vsphere-datacenter: required"),
    ((), {"VSPHERE_RESOURCE_POOL": ""}, "--vsphere-resource-pool: required"),
    ((), {"VSPHERE_DATASTORE": ""}, "--vsphere-datastore: required"),
    (("--vsphere-server", "https://vcenter.example.com"), {},
     "spec.cloudConfig.vSphereServer: 'https://vcenter.example.com': give host[:port] without a scheme"),
    (("--vsphere-server", "vcenter.example.com:99999"), {}, "spec.cloudConfig.vSphereServer"),
    (("--vsphere-server", "vcenter.example.com/sdk"), {}, "is not host[:port]"),
    (("--zones", "DC0/host/DC0_C0"), {}, "invalid vSphere zone 'DC0/host/DC0_C0': expected a compute cluster's name"),
    (("--zones", "DC0_C0", "--node-size", "t3.large"),
     {}, "InstanceGroup/nodes-dc0-c0: spec.machineType: 't3.large' is not a vSphere VM size: CPUs and memory in GiB"),
    (("--zones", "DC0_C0", "--node-size", "0cpu-8gb"), {}, "a VM has from 1 to 768 CPUs"),
    (("--zones", "DC0_C0", "--api-loadbalancer-type", "public"), {}, "spec.api.loadBalancer: vSphere has no load"),
    (("--zones", "DC0_C0", "--dns-zone", "example.com"), {}, "spec.topology.dns.type: unsupported on vSphere: Public"),
    (("--zones", "DC0_C0", "--topology", "private", "--networking", "calico"), {},
     "spec.subnets[0].type: unsupported on vSphere: Private"),
    (("--zones", "DC0_C0", "--network-cidr", "10.0.0.0/16,10.1.0.0/16"), {}, "spec.additionalNetworkCIDRs"),
    (("--zones", "DC0_C0", "--api-server-count", "1"), {}, "spec.role: the APIServer role is supported only"),
])
def test_problems_are_one_line_naming_the_flag_or_field(kops, flags, env, wanted):
    args = ("create", "cluster", "v.example.com", "--cloud", "vsphere", "--image", TEMPLATE, "--dry-run", "-o", "yaml")
    r = kops(*args, *(flags if "--zones" in flags else ("--zones", "DC0_C0", *flags)), env=env)
    assert wanted in one_line_error(r)


def test_the_vm_template_must_be_named(kops, tmp_path):
    r = kops("create", "cluster", "v.example.com", "--cloud", "vsphere", "--zones", "DC0_C0")
    line = one_line_error(r)
    assert "spec.image: required on vSphere: the VM template to clone (--image)" in line
    assert not (tmp_path / "store" / "v.example.com").exists()  # nothing stored


def test_the_testbeds_environment_makes_a_cluster(tmp_path):
    """From nothing but what ``python -m kops.testing.testbed vsphere`` prints, as a user would run it (with a
    state store of the test's own)."""
    env = environment("vsphere")
    isolated = cli.isolated_env(tmp_path)
    run = cli.runner({**isolated, **env, "KOPS_STATE_STORE": isolated["KOPS_STATE_STORE"]})
    zones = env["KOPS_VSPHERE_ZONES"]
    created = run("create", "cluster", "lab.example.com", "--cloud", "vsphere", "--zones", zones,
                  "--control-plane-zones", zones, "--node-count", "2", "--image", env["KOPS_VSPHERE_TEMPLATE"],
                  "--node-size", env["KOPS_VSPHERE_MACHINE_ALT"])
    assert created.returncode == 0, created.stderr
    spec = yaml.safe_load(run("get", "cluster", "lab.example.com", "-o", "yaml").stdout)["spec"]
    assert spec["cloudConfig"] == {"vSphereServer": env["VSPHERE_SERVER"],
                                   "vSphereDatacenter": env["VSPHERE_DATACENTER"],
                                   "vSphereResourcePool": env["VSPHERE_RESOURCE_POOL"],
                                   "vSphereDatastore": env["VSPHERE_DATASTORE"]}
    assert spec["networkID"] == env["VSPHERE_NETWORK"]
    assert [s["zone"] for s in spec["subnets"]] == sorted(zones.split(","))
    stored = "".join(p.read_text(errors="replace") for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert env["VSPHERE_PASSWORD"] not in stored and env["VSPHERE_USERNAME"] not in stored
