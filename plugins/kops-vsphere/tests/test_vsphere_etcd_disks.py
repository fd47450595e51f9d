"""etcd's data on disks of their own: a virtual disk per etcd member (main and events) on the cluster's datastore,
attached to its control-plane VM, kept through a rolling update of the control plane and deleted with the cluster,
on govmomi's simulator through the ``kops`` command."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
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


def _advertised(env: dict[str, str], name: str) -> dict[str, dict[str, str]]:
    """Each control-plane VM's guest info options about disks: ``disk.EnableUUID`` and where each etcd disk is, by
    VM ID."""
    out = {}
    for vm in _api(env).list_owned("VirtualMachine", name):
        if vm.attributes.get("kops.k8s.io/role") == "ControlPlane":
            out[vm.id] = {o.key: o.value for o in vm.obj.config.extraConfig
                          if o.key == "disk.EnableUUID" or o.key.startswith("guestinfo.kops.etcd-disk.")}
    return out


def _disk_uuids(env: dict[str, str], name: str, files: list[str]) -> dict[str, str]:
    api = _api(env)
    return {f: api.content.virtualDiskManager.QueryVirtualDiskUuid(
        name=f"[{env['VSPHERE_DATASTORE']}] {name}/etcd/{f}", datacenter=api.datacenter) for f in files}


def _nodeup_config(env: dict[str, str], name: str, group: str) -> dict[str, Any]:
    import yaml

    root = env["KOPS_STATE_STORE"].removeprefix("file://")
    with open(f"{root}/{name}/igconfig/control-plane/{group}/nodeupconfig.yaml") as f:
        return yaml.safe_load(f)


def _machine_sees(env: dict[str, str], name: str, volume: str, tmp_path: Path, monkeypatch: Any) -> str | None:
    """What the control-plane VM's guest finds as the device of ``volume``: VMware Tools' rpctool stood in for by a
    script answering the VM's guest info options as vCenter has them."""
    from kops_vsphere.cloud import VSphereCloud

    (options,) = _advertised(env, name).values()
    script = "".join(f'[ "$1" = "info-get {k}" ] && echo "{v}" && exit 0\n' for k, v in options.items())
    rpctool = tmp_path / "rpctool"
    rpctool.write_text(f"#!/bin/sh\n{script}echo 'No value found'; exit 1\n")
    rpctool.chmod(0o755)
    monkeypatch.setenv("KOPS_VSPHERE_RPCTOOL", str(rpctool))
    return VSphereCloud().etcd_disk_device(volume)


def test_each_etcd_member_has_a_disk_that_outlives_its_vm_and_goes_with_the_cluster(cloud_kops, cloud_env,
                                                                                     cloud_case, cluster_name,
                                                                                     tmp_path, monkeypatch):
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
    # The VM tells its guest where each disk is (by its UUID) under the name nodeup mounts it as.
    uuids = _disk_uuids(cloud_env, cluster_name, wanted)
    volumes = {f"{cluster_name}--{etcd}--{member}": uuids[f"{etcd}-{member}.vmdk"] for etcd, member in members.items()}
    expected = {"disk.EnableUUID": "TRUE", **{f"guestinfo.kops.etcd-disk.{v}": u for v, u in volumes.items()}}
    assert list(_advertised(cloud_env, cluster_name).values()) == [expected]
    group = cluster["spec"]["etcdClusters"][0]["etcdMembers"][0]["instanceGroup"]
    assert sorted(_nodeup_config(cloud_env, cluster_name, group)["etcdDisks"]) == sorted(volumes)
    # The machine's boot mounts them, before kubelet runs etcd-manager.
    machine = tmp_path / "machine"
    _ok(cloud_kops("nodeup", "--config", f"{cloud_env['KOPS_STATE_STORE']}/{cluster_name}/igconfig/control-plane/"
                   f"{group}/nodeupconfig.yaml", "--root", str(machine)))
    unit = (machine / "lib/systemd/system/kops-etcd-disks.service").read_text()
    command = shlex.split(next(li for li in unit.splitlines() if li.startswith("ExecStart=")).split("=", 1)[1])
    assert command[:4] == ["/opt/kops/bin/kops", "mount-etcd-disks", "--cloud", "vsphere"]
    assert sorted(command[4:]) == sorted(volumes) and "Before=kubelet.service" in unit
    # Inside the VM: the disk is the SCSI device whose WWN is its UUID.
    for volume, uuid in volumes.items():
        wwn = uuid.replace(" ", "").replace("-", "").lower()
        assert _machine_sees(cloud_env, cluster_name, volume, tmp_path, monkeypatch) == f"/dev/disk/by-id/wwn-0x{wwn}"
    assert _machine_sees(cloud_env, cluster_name, f"{cluster_name}--main--other", tmp_path, monkeypatch) is None
    replan = cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr

    _ok(cloud_kops("rolling-update", "cluster", cluster_name, "--cloudonly", "--force", "--yes",
                   "--instance-group-roles", "control-plane"))
    rolled = _control_plane_disks(cloud_env, cluster_name)
    assert len(rolled) == 1 and set(rolled) != set(attached), (attached, rolled)
    assert list(rolled.values()) == list(attached.values())
    assert list(_advertised(cloud_env, cluster_name).values()) == [expected]
    assert _disk_files(cloud_env, cluster_name) == wanted
    assert cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode").returncode == 0

    _ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert _disk_files(cloud_env, cluster_name) == []
    assert cloud_case.leftovers(cloud_env, cluster_name) == []
