"""The vSphere testbed: what a cluster's life does to a vCenter, done with pyVmomi and the vAPI REST endpoints
against govmomi's simulator, from nothing but the testbed's environment; and its shell entry point.

Where the simulator (govmomi 0.24.2, as Debian ships it) differs from a real vCenter, the test takes the path
that works on both, and says so.
"""

from __future__ import annotations

import base64
import json
import shlex
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from kops.testing.testbed import TESTBEDS_VARIABLE, enabled, environment
from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

CLUSTER = "lifecycle.example.com"
USER_DATA = base64.b64encode(b"#cloud-config\nhostname: node\n").decode()


@pytest.fixture(scope="module")
def env():
    return environment("vsphere")


@pytest.fixture(scope="module")
def si(env):
    host, _, port = env["VSPHERE_SERVER"].rpartition(":")
    context = ssl.create_default_context(cafile=env["VSPHERE_CA_FILE"])
    connection = SmartConnect(host=host, port=int(port), user=env["VSPHERE_USERNAME"], pwd=env["VSPHERE_PASSWORD"],
                              sslContext=context)
    yield connection
    Disconnect(connection)


class Rest:
    """The vAPI REST endpoints (``/rest``, the only flavour govmomi 0.24.2 serves), as a cloud would call them."""

    def __init__(self, env: dict[str, str]):
        self.base = f"https://{env['VSPHERE_SERVER']}/rest"
        self.context = ssl.create_default_context(cafile=env["VSPHERE_CA_FILE"])
        self.session = ""
        login = base64.b64encode(f"{env['VSPHERE_USERNAME']}:{env['VSPHERE_PASSWORD']}".encode()).decode()
        self.session = self.call("POST", "/com/vmware/cis/session", headers={"Authorization": f"Basic {login}"})

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """The answer's ``value``: an empty list comes back as ``null``, so callers write ``or []``."""
        headers = {"Content-Type": "application/json", **(headers or {})}
        if self.session:
            headers["vmware-api-session-id"] = self.session
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(request, context=self.context) as response:
            data = response.read()
        return json.loads(data).get("value") if data else None


def _vm_properties(si, *paths: str) -> dict[str, dict]:
    """Properties of every VM by name, through the property collector (reading an unset property one at a
    time, e.g. a template's ``resourcePool``, makes the 0.24.2 simulator drop the connection)."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    collector = vmodl.query.PropertyCollector
    spec = collector.FilterSpec(
        objectSet=[collector.ObjectSpec(obj=view, skip=True, selectSet=[
            collector.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)])],
        propSet=[collector.PropertySpec(type=vim.VirtualMachine, pathSet=["name", *paths])])
    found = content.propertyCollector.RetrievePropertiesEx([spec], collector.RetrieveOptions()).objects
    view.Destroy()
    by_name = {}
    for obj in found:
        props = {p.name: p.val for p in obj.propSet}
        by_name[props["name"]] = {**props, "moId": obj.obj._moId}
    return by_name


def _disks(vm) -> list:
    return [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]


def test_a_clusters_life_against_the_simulator(env, si):
    content = si.RetrieveContent()
    datacenter = env["VSPHERE_DATACENTER"]
    zones = env["KOPS_VSPHERE_ZONES"].split(",")
    assert len(zones) >= 3
    cpus, _, memory = env["KOPS_VSPHERE_MACHINE_ALT"].partition("cpu-")
    cpus, memory_mb = int(cpus), int(memory.removesuffix("gb")) * 1024
    own_paths = ("runtime.powerState", "config.instanceUuid", "resourcePool", "config.hardware.numCPU",
                 "config.hardware.memoryMB", "config.template")
    simulators_own = _vm_properties(si, *own_paths)
    assert simulators_own, "the simulator comes with VMs of its own"
    template = content.searchIndex.FindByInventoryPath(f"{datacenter}/vm/{env['KOPS_VSPHERE_TEMPLATE']}")
    assert template is not None and template.config.template
    datastore = content.searchIndex.FindByInventoryPath(f"{datacenter}/datastore/{env['VSPHERE_DATASTORE']}")
    assert datastore is not None
    assert content.searchIndex.FindByInventoryPath(env["VSPHERE_RESOURCE_POOL"].lstrip("/")) is not None

    # A folder of the cluster's own; one clone of the template in each zone's (compute cluster's) root pool.
    folder = content.searchIndex.FindByInventoryPath(f"{datacenter}/vm").CreateFolder(CLUSTER)
    vms = []
    for zone in zones:
        pool = content.searchIndex.FindByInventoryPath(f"{datacenter}/host/{zone}/Resources")
        spec = vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec(pool=pool, datastore=datastore), powerOn=True, template=False,
            config=vim.vm.ConfigSpec(numCPUs=cpus, memoryMB=memory_mb, extraConfig=[
                vim.option.OptionValue(key="guestinfo.userdata", value=USER_DATA),
                vim.option.OptionValue(key="guestinfo.userdata.encoding", value="base64")]))
        task = template.CloneVM_Task(folder=folder, name=f"nodes-{zone}.{CLUSTER}", spec=spec)
        WaitForTask(task)
        vm = task.info.result
        # The simulator keeps the template's size and leaves the clone off whatever the clone spec says: the
        # same size set again and an explicit power-on work on both it and a real vCenter.
        WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(numCPUs=cpus, memoryMB=memory_mb)))
        if vm.runtime.powerState != vim.VirtualMachine.PowerState.poweredOn:
            WaitForTask(vm.PowerOnVM_Task())
        vms.append(vm)
    for vm, zone in zip(vms, zones, strict=True):
        assert vm.runtime.powerState == vim.VirtualMachine.PowerState.poweredOn
        assert (vm.config.hardware.numCPU, vm.config.hardware.memoryMB) == (cpus, memory_mb)
        extra = {o.key: o.value for o in vm.config.extraConfig}
        assert extra["guestinfo.userdata"] == USER_DATA and extra["guestinfo.userdata.encoding"] == "base64"
        # The zone is the pool's compute cluster (the simulator places every clone on the template's host).
        assert vm.resourcePool.owner.name == zone
        assert vm.parent == folder

    # Ownership: a category and a tag named for the cluster, attached to each VM; then found by that tag.
    rest = Rest(env)
    category = rest.call("POST", "/com/vmware/cis/tagging/category", {"create_spec": {
        "name": "kops.k8s.io/cluster", "description": "", "cardinality": "SINGLE",
        "associable_types": ["VirtualMachine"]}})
    with pytest.raises(urllib.error.HTTPError) as again:
        rest.call("POST", "/com/vmware/cis/tagging/category", {"create_spec": {
            "name": "kops.k8s.io/cluster", "description": "", "cardinality": "SINGLE",
            "associable_types": ["VirtualMachine"]}})
    assert again.value.code == 400
    assert json.loads(again.value.read())["type"] == "com.vmware.vapi.std.errors.already_exists"
    tag = rest.call("POST", "/com/vmware/cis/tagging/tag", {"create_spec": {
        "name": CLUSTER, "description": "", "category_id": category}})
    for vm in vms:
        rest.call("POST", f"/com/vmware/cis/tagging/tag-association/id:{tag}?~action=attach",
                  {"object_id": {"type": "VirtualMachine", "id": vm._moId}})
    tagged = rest.call("POST", f"/com/vmware/cis/tagging/tag-association/id:{tag}?~action=list-attached-objects", {})
    assert sorted(o["id"] for o in tagged) == sorted(vm._moId for vm in vms)
    mine = [name for name, props in _vm_properties(si).items() if props["moId"] in {o["id"] for o in tagged}]
    assert sorted(mine) == sorted(vm.name for vm in vms)

    # A second disk (an etcd volume, say) on the boot disk's controller.
    vm = vms[0]
    boot = _disks(vm)[0]
    disk = vim.vm.device.VirtualDisk(
        controllerKey=boot.controllerKey, unitNumber=boot.unitNumber + 1, capacityInKB=10 * 1024 * 1024,
        backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(diskMode="persistent", thinProvisioned=True))
    WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[vim.vm.device.VirtualDeviceSpec(
        operation="add", fileOperation="create", device=disk)])))
    assert sorted(d.capacityInKB for d in _disks(vm)) == sorted([boot.capacityInKB, 10 * 1024 * 1024])

    # The instance UUID names a VM across the vCenter: distinct per clone, and it finds the VM.
    uuids = [v.config.instanceUuid for v in vms]
    assert len(set(uuids)) == len(vms)
    dc = content.searchIndex.FindByInventoryPath(datacenter)
    assert content.searchIndex.FindByUuid(dc, uuids[0], True, True) == vm

    # Deletion: off, destroyed, the folder gone; the tag's associations outlive the VMs on the simulator.
    for vm in vms:
        WaitForTask(vm.PowerOffVM_Task())
        WaitForTask(vm.Destroy_Task())
    WaitForTask(folder.Destroy_Task())
    assert content.searchIndex.FindByInventoryPath(f"{datacenter}/vm/{CLUSTER}") is None
    assert all(content.searchIndex.FindByUuid(dc, uuid, True, True) is None for uuid in uuids)
    rest.call("DELETE", f"/com/vmware/cis/tagging/category/id:{category}")
    assert category not in (rest.call("GET", "/com/vmware/cis/tagging/category") or [])

    assert _vm_properties(si, *own_paths) == simulators_own


def test_python_m_kops_testing_testbed_vsphere_prints_the_exports_and_ready():
    if not enabled("vsphere"):
        pytest.skip(f"the vsphere testbed takes minutes to start: set {TESTBEDS_VARIABLE}=vsphere to run this test")
    proc = subprocess.Popen([sys.executable, "-m", "kops.testing.testbed", "vsphere"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        exported: dict[str, str] = {}
        for line in proc.stdout:
            if line.strip() == "ready":
                break
            assert line.startswith("export "), line
            name, _, value = line[len("export "):].rstrip("\n").partition("=")
            exported[name] = shlex.split(value)[0]
        else:
            raise AssertionError(f"no 'ready' line: {proc.stderr.read()}")
        assert set(exported) == {
            "VSPHERE_SERVER", "VSPHERE_USERNAME", "VSPHERE_PASSWORD", "VSPHERE_CA_FILE", "VSPHERE_DATACENTER",
            "VSPHERE_RESOURCE_POOL", "VSPHERE_DATASTORE", "VSPHERE_NETWORK", "KOPS_VSPHERE_TEMPLATE",
            "KOPS_VSPHERE_ZONES", "KOPS_VSPHERE_MACHINE_ALT", "KOPS_STATE_STORE"}
        assert exported["KOPS_STATE_STORE"].startswith("file:///")
        host, _, port = exported["VSPHERE_SERVER"].rpartition(":")
        assert host == "127.0.0.1"
        context = ssl.create_default_context(cafile=exported["VSPHERE_CA_FILE"])
        connection = SmartConnect(host=host, port=int(port), user=exported["VSPHERE_USERNAME"],
                                  pwd=exported["VSPHERE_PASSWORD"], sslContext=context)
        assert connection.content.about.apiType == "VirtualCenter"
        with pytest.raises(vim.fault.InvalidLogin):
            SmartConnect(host=host, port=int(port), user=exported["VSPHERE_USERNAME"], pwd="wrong",
                         sslContext=context)
        Disconnect(connection)
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=5).close()
