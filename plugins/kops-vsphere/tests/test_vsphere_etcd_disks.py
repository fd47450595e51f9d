"""etcd's data on disks of their own: a virtual disk per etcd member (main and events) on the cluster's datastore,
attached to its control-plane VM, kept through a rolling update of the control plane and deleted with the cluster,
on govmomi's simulator through the ``kops`` command."""

from __future__ import annotations

import json
from typing import Any

GIB_KB = 1024 * 1024


def _ok(result: Any) -> Any:
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stdout}{result.stderr}"
    return result


def _api(env: dict[str, str]) -> Any:
    from kops_vsphere.api import VSphereAPI

    return VSphereAPI(env["VSPHERE_SERVER"], env["VSPHERE_USERNAME"], env["VSPHERE_PASSWORD"],
                      env["VSPHERE_DATACENTER"], env["VSPHERE_CA_FILE"])


def _disk_files(env: dict[str, str], name: str) -> list[str]:
    """The disk files in the cluster's etcd directory, as the datastore browser lists them."""
    from pyVmomi import vim

    datastore = _api(env).find(f"{env['VSPHERE_DATACENTER']}/datastore/{env['VSPHERE_DATASTORE']}")
    search = vim.host.DatastoreBrowser.SearchSpec(matchPattern=["*.vmdk"])
    try:
        task = datastore.browser.SearchDatastore_Task(datastorePath=f"[{env['VSPHERE_DATASTORE']}] {name}/etcd",
                                                      searchSpec=search)
        _api(env).wait(task)
    except vim.fault.FileNotFound:
        return []
    return sorted(f.path for f in task.info.result.file if not f.path.endswith("-flat.vmdk"))


def _control_plane_disks(env: dict[str, str], name: str) -> dict[str, dict[str, int]]:
    """Each control-plane VM's disks beyond its boot disk: file -> size in KiB, by VM ID."""
    from pyVmomi import vim

    out = {}
    for vm in _api(env).list_owned("VirtualMachine", name):
        if vm.attributes.get("kops.k8s.io/role") == "ControlPlane":
            disks = [d for d in vm.obj.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
            out[vm.id] = {d.backing.fileName.rsplit("/", 1)[-1]: d.capacityInKB for d in disks[1:]}
    return out


def test_each_etcd_member_has_a_disk_that_outlives_its_vm_and_goes_with_the_cluster(cloud_kops, cloud_env,
                                                                                     cloud_case, cluster_name):
    zone = cloud_env["KOPS_VSPHERE_ZONES"].split(",")[0]
    _ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "vsphere", "--zones", zone, "--node-count", "1",
                   "--image", cloud_env["KOPS_VSPHERE_TEMPLATE"], "--networking", "calico"))
    cluster = json.loads(_ok(cloud_kops("get", "cluster", cluster_name, "-o", "json")).stdout)
    members = {e["name"]: e["etcdMembers"][0]["name"] for e in cluster["spec"]["etcdClusters"]}
    assert sorted(members) == ["events", "main"]
    planned = json.loads(_ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout)["changes"]
    disks = [c for c in planned if c["type"] == "EtcdDisk"]
    assert len(disks) == 2 and all(c["action"] == "create" for c in disks), disks
    assert len([c for c in planned if c["type"] == "EtcdDiskAttachment"]) == 2

    _ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    wanted = sorted(f"{etcd}-{member}.vmdk" for etcd, member in members.items())
    assert _disk_files(cloud_env, cluster_name) == wanted
    attached = _control_plane_disks(cloud_env, cluster_name)
    assert list(attached.values()) == [{file: 20 * GIB_KB for file in wanted}]
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr

    _ok(cloud_kops("rolling-update", "cluster", cluster_name, "--cloudonly", "--force", "--yes",
                   "--instance-group-roles", "control-plane"))
    rolled = _control_plane_disks(cloud_env, cluster_name)
    assert len(rolled) == 1 and set(rolled) != set(attached), (attached, rolled)
    assert list(rolled.values()) == list(attached.values())
    assert _disk_files(cloud_env, cluster_name) == wanted
    assert cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode").returncode == 0

    _ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert _disk_files(cloud_env, cluster_name) == []
    assert cloud_case.leftovers(cloud_env, cluster_name) == []
