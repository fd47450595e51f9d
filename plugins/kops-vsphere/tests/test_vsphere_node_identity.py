"""How a vSphere VM proves who it is to the node credential service: the machine key kops puts in each clone's guest
info, read inside the guest through VMware Tools (here a stand-in ``vmware-rpctool`` printing what the simulator
holds) and by the service over vCenter's SOAP API (here govmomi's simulator), on a cluster ``kops update cluster
--yes`` made."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from kops.cloud import NodeIdentityRefused
from kops.model import role_of
from kops.nodeup import machinekey
from kops.testing import cli
from kops.testing.testbed import environment
from kops_vsphere.cloud import VSphereCloud
from kops_vsphere.identity import KEY_OPTION, SCHEME, swapped

CLOUD = VSphereCloud()
BODY = b'{"apiVersion":"bootstrap.kops.k8s.io/v1alpha1"}'


def _ok(result: Any) -> Any:
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stdout}{result.stderr}"
    return result


def _api(env: dict[str, str]) -> Any:
    from kops_vsphere.api import VSphereAPI

    return VSphereAPI(env["VSPHERE_SERVER"], env["VSPHERE_USERNAME"], env["VSPHERE_PASSWORD"],
                      env["VSPHERE_DATACENTER"], env["VSPHERE_CA_FILE"])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A cluster of one control-plane VM and one node, applied; what the commands printed; its VMs by group."""
    tmp = tmp_path_factory.mktemp("identity")
    env = {**cli.isolated_env(tmp), **environment("vsphere")}
    kops = cli.runner(env, timeout=900)
    name = f"id{int(time.time() * 1000) % 10**8}.example.com"
    zone = env["KOPS_VSPHERE_ZONES"].split(",")[0]
    _ok(kops("create", "cluster", name, "--cloud", "vsphere", "--zones", zone, "--node-count", "1",
             "--image", env["KOPS_VSPHERE_TEMPLATE"], "--networking", "calico"))
    printed = [_ok(kops("update", "cluster", name, "-o", "json")).stdout]
    applied = _ok(kops("update", "cluster", name, "--yes"))
    printed += [applied.stdout, applied.stderr]
    cluster = json.loads(_ok(kops("get", "cluster", name, "-o", "json")).stdout)
    groups = {g["metadata"]["name"]: g for g in json.loads(
        _ok(kops("get", "instancegroups", "--name", name, "-o", "json")).stdout)}
    api = _api(env)
    vms = {r.attributes["kops.k8s.io/instancegroup"]: r.obj for r in api.list_owned("VirtualMachine", name)}
    yield {"env": env, "kops": kops, "name": name, "cluster": cluster, "groups": groups, "vms": vms, "api": api,
           "printed": printed, "state": Path(env["KOPS_STATE_STORE"].removeprefix("file://"))}
    _ok(kops("delete", "cluster", name, "--yes"))


@pytest.fixture
def service(made: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service's environment (the vCenter's credentials and CA), and the cluster's groups."""
    for variable in ("VSPHERE_USERNAME", "VSPHERE_PASSWORD", "VSPHERE_CA_FILE"):
        monkeypatch.setenv(variable, made["env"][variable])
    return made


def _vm(made: Any, role: str) -> Any:
    return next(vm for group, vm in made["vms"].items() if role_of(made["groups"][group]) == role)


def _group(made: Any, role: str) -> str:
    return next(g for g in made["vms"] if role_of(made["groups"][g]) == role)


def _key(vm: Any) -> str:
    return next(o.value for o in vm.config.extraConfig if o.key == KEY_OPTION)


@pytest.fixture
def machine(made: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The node VM's inside: its BIOS UUID in a stand-in DMI file, and a stand-in rpctool printing its key."""
    vm = _vm(made, "Node")
    uuid_file = tmp_path / "product_uuid"
    uuid_file.write_text(vm.config.uuid.upper() + "\n")
    rpctool = tmp_path / "rpctool"
    rpctool.write_text(f'#!/bin/sh\n[ "$1" = "info-get {KEY_OPTION}" ] && echo {_key(vm)} && exit 0\n'
                       "echo 'No value found'; exit 1\n")
    rpctool.chmod(0o755)
    monkeypatch.setenv("KOPS_VSPHERE_PRODUCT_UUID_FILE", str(uuid_file))
    monkeypatch.setenv("KOPS_VSPHERE_RPCTOOL", str(rpctool))
    return vm


def test_a_node_made_by_kops_proves_who_it_is_and_is_identified(service: Any, machine: Any) -> None:
    group = _group(service, "Node")
    proof = CLOUD.node_identity_proof(BODY)
    assert proof.startswith(f"{SCHEME} {machine.config.uuid.lower()} ")
    identity = CLOUD.verify_node_identity(service["cluster"], service["groups"], proof, BODY, group)
    host = machine.name.split(".")[0]
    assert (identity.instance_id, identity.instance_group, identity.node_name) == (machine.config.uuid, group, host)
    assert host in identity.addresses
    identified = CLOUD.identify_node(service["cluster"], f"vsphere://{machine.config.uuid}")
    assert (identified.instance_id, identified.instance_group) == (machine.config.uuid, group)
    assert CLOUD.identify_node(service["cluster"], "vsphere://00000000-0000-4000-8000-000000000001") is None
    assert CLOUD.identify_node(service["cluster"], f"aws:///us-east-1a/{machine.config.uuid}") is None


def test_a_guest_showing_its_uuid_byte_swapped_is_found(service: Any, machine: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Older VM hardware (SMBIOS before 2.6) shows Linux the first three fields of the BIOS UUID byte-swapped."""
    older = tmp_path / "older_product_uuid"
    older.write_text(swapped(machine.config.uuid))
    monkeypatch.setenv("KOPS_VSPHERE_PRODUCT_UUID_FILE", str(older))
    identity = CLOUD.verify_node_identity(service["cluster"], service["groups"], CLOUD.node_identity_proof(BODY),
                                          BODY, _group(service, "Node"))
    assert identity.instance_id == machine.config.uuid


def test_a_machine_without_a_key_cannot_make_a_proof(service: Any, machine: Any, monkeypatch) -> None:
    monkeypatch.setenv("KOPS_VSPHERE_RPCTOOL", "false")
    with pytest.raises(Exception, match=f"this VM has no {KEY_OPTION}"):
        CLOUD.node_identity_proof(BODY)


def _refused(made: Any, authorization: str, group: str, body: bytes = BODY) -> str:
    with pytest.raises(NodeIdentityRefused) as refused:
        CLOUD.verify_node_identity(made["cluster"], made["groups"], authorization, body, group)
    return str(refused.value)


def test_refusals(service: Any, machine: Any) -> None:
    group, uuid, key = _group(service, "Node"), machine.config.uuid, _key(machine)
    assert "is not x-vsphere-machine-key" in _refused(service, "x-vsphere-machine-key nonsense", group)
    assert "not a VM's BIOS UUID" in _refused(service, machinekey.sign(SCHEME, "vm-1", key, BODY), group)
    unknown = "00000000-0000-4000-8000-000000000001"
    assert f"no VM has the BIOS UUID {unknown}" in _refused(service, machinekey.sign(SCHEME, unknown, key, BODY),
                                                            group)
    assert "not signed with its key" in _refused(service, machinekey.sign(SCHEME, uuid, machinekey.new_key(), BODY),
                                                 group)
    stale = machinekey.sign(SCHEME, uuid, key, BODY, now=time.time() - 600)
    assert "outside the five minutes" in _refused(service, stale, group)
    assert "not for this request's body" in _refused(service, machinekey.sign(SCHEME, uuid, key, BODY), group,
                                                     body=b"{}")
    control_plane = _group(service, "ControlPlane")
    assert f"not {control_plane}" in _refused(service, machinekey.sign(SCHEME, uuid, key, BODY), control_plane)
    assert "does not have" in _refused(service, machinekey.sign(SCHEME, uuid, key, BODY), "nodes-elsewhere")


def test_a_vm_of_another_cluster_is_refused(service: Any, machine: Any) -> None:
    api = service["api"]
    api.set_attributes(machine, {"kops.k8s.io/cluster": "other.example.com"})
    try:
        proof = CLOUD.node_identity_proof(BODY)
        assert "does not belong to cluster" in _refused(service, proof, _group(service, "Node"))
        assert CLOUD.identify_node(service["cluster"], f"vsphere://{machine.config.uuid}") is None
    finally:
        api.set_attributes(machine, {"kops.k8s.io/cluster": service["name"]})


def test_a_vm_powered_off_is_refused(service: Any, machine: Any) -> None:
    api = service["api"]
    api.wait(machine.PowerOffVM_Task())
    try:
        proof = CLOUD.node_identity_proof(BODY)
        assert "not powered on" in _refused(service, proof, _group(service, "Node"))
        assert CLOUD.identify_node(service["cluster"], f"vsphere://{machine.config.uuid}") is None
    finally:
        api.wait(machine.PowerOnVM_Task())


def test_the_keys_are_in_no_plan_user_data_or_state_store_and_change_no_plan(made: Any) -> None:
    keys = {group: _key(vm) for group, vm in made["vms"].items()}
    assert len(set(keys.values())) == len(keys) and all(len(k) == 64 for k in keys.values())
    replan = made["kops"]("update", "cluster", made["name"], "--detailed-exitcode")
    assert replan.returncode == 0, replan.stdout + replan.stderr
    seen = [*made["printed"], replan.stdout, replan.stderr]
    for vm in made["vms"].values():
        options = {o.key: o.value for o in vm.config.extraConfig}
        seen.append(base64.b64decode(options["guestinfo.userdata"]).decode(errors="replace"))
        seen.append(base64.b64decode(options["guestinfo.metadata"]).decode(errors="replace"))
    stored = [p for p in made["state"].rglob("*") if p.is_file()]
    assert stored
    seen += [p.read_bytes().decode(errors="replace") for p in stored]
    for key in keys.values():
        assert not [text for text in seen if key in text]
