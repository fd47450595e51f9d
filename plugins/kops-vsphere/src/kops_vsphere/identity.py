"""How a vSphere VM proves who it is to the node credential service, and how the service checks it.

vSphere signs nothing for a VM, so the proof is core's machine key proof (:mod:`kops.nodeup.machinekey`): when kops
clones a VM it sets a random key in the VM's ``extraConfig`` as :data:`KEY_OPTION`. A ``guestinfo.`` option is
readable inside that guest (through VMware Tools' RPC channel) and by the vCenter API, by nothing else. The machine ID
is the VM's BIOS UUID (``config.uuid``), which is what the vSphere cloud provider puts in a Node's providerID
(``vsphere://<uuid>``).

On the machine (:func:`proof`, standard library only): the UUID from ``/sys/class/dmi/id/product_uuid``
(:data:`UUID_FILE_VARIABLE` moves it) and the key from ``vmware-rpctool "info-get guestinfo.kops.machine-key"``
(:mod:`kops_vsphere.guestinfo`).

In the service (:func:`verify`, :func:`identify`): the VM with that BIOS UUID, asked of the cluster's vCenter
(``spec.cloudConfig.vSphereServer``, ``VSPHERE_USERNAME``/``VSPHERE_PASSWORD``, ``VSPHERE_CA_FILE``) over SOAP
(:mod:`kops_vsphere.soap`): it must be powered on, carry the cluster's custom attribute, hold the key the proof is
signed with and be in the group it asks for. Its node name is its guest host name, the first label of the VM's name
(what kops gives cloud-init as ``local-hostname``, and so what its kubelet registers as).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from typing import Any

from kops.cloud import NodeIdentity, NodeIdentityRefused
from kops.errors import KopsError
from kops.nodeup import machinekey

from kops_vsphere import guestinfo
from kops_vsphere.labels import CLUSTER, INSTANCE_GROUP
from kops_vsphere.soap import Session, pairs

#: The ``Authorization`` scheme word of a vSphere machine key proof.
SCHEME = "x-vsphere-machine-key"
#: The VM option holding the machine's key (set by kops when it clones the VM).
KEY_OPTION = "guestinfo.kops.machine-key"
#: The file holding the VM's BIOS UUID (it can be moved: a test).
UUID_FILE_VARIABLE, UUID_FILE = "KOPS_VSPHERE_PRODUCT_UUID_FILE", "/sys/class/dmi/id/product_uuid"
#: Where the service's credentials come from, as everywhere in the plugin.
USERNAME, PASSWORD, CA_FILE = "VSPHERE_USERNAME", "VSPHERE_PASSWORD", "VSPHERE_CA_FILE"
PROVIDER_PREFIX = "vsphere://"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: What the service reads of a VM.
VM_PROPERTIES = ("name", "config.uuid", "config.extraConfig", "runtime.powerState", "customValue", "guest.ipAddress",
                 "guest.net")


# --- on the machine ---------------------------------------------------------------------------------------


def proof(body: bytes) -> str:
    """The ``Authorization`` header of a bootstrap request with ``body``, signed with this VM's machine key."""
    failed = "cannot prove who this machine is to the node credential service"
    path = os.environ.get(UUID_FILE_VARIABLE) or UUID_FILE
    try:
        uuid = open(path, encoding="ascii", errors="replace").read().strip().lower()
    except OSError as exc:
        raise KopsError(f"{failed}: cannot read the VM's UUID from {path} ({exc.strerror}); is this a vSphere VM?"
                        ) from None
    if not UUID.match(uuid):
        raise KopsError(f"{failed}: {path} holds no UUID")
    try:
        key = guestinfo.read(KEY_OPTION)
    except KopsError as exc:
        raise KopsError(f"{failed}: {exc}") from None
    if not key:
        raise KopsError(f"{failed}: this VM has no {KEY_OPTION} (was it made by kops?)")
    return machinekey.sign(SCHEME, uuid, key, body)


# --- in the node credential service ---------------------------------------------------------------------


def swapped(uuid: str) -> str:
    """The UUID with its first three fields byte-swapped: how Linux shows the BIOS UUID of a VM whose SMBIOS
    predates version 2.6 (older VM hardware versions), against how vSphere reports it."""
    fields = uuid.split("-")
    return "-".join([bytes.fromhex(f)[::-1].hex() for f in fields[:3]] + fields[3:])


def _session(cluster: dict[str, Any]) -> Session:
    server = ((cluster.get("spec") or {}).get("cloudConfig") or {}).get("vSphereServer") or ""
    missing = [v for v in (USERNAME, PASSWORD) if not os.environ.get(v)]
    if not server or missing:
        raise KopsError("the node credential service cannot reach the vCenter: "
                        + ("spec.cloudConfig.vSphereServer is not set" if not server
                           else f"set {' and '.join(missing)}"))
    return Session(server, os.environ[USERNAME], os.environ[PASSWORD], os.environ.get(CA_FILE) or None)


class _VM:
    """What the service knows of one VM: its properties, its custom attributes by name, its key."""

    def __init__(self, props: dict[str, ET.Element], field_names: dict[str, str]):
        self.name = props["name"].text or "" if "name" in props else ""
        self.uuid = (props["config.uuid"].text or "").lower() if "config.uuid" in props else ""
        self.power = props["runtime.powerState"].text or "" if "runtime.powerState" in props else ""
        self.key = pairs(props.get("config.extraConfig")).get(KEY_OPTION, "")
        self.attributes = {field_names.get(k, k): v for k, v in pairs(props.get("customValue")).items()}
        primary = props["guest.ipAddress"].text or "" if "guest.ipAddress" in props else ""
        nics = props.get("guest.net")
        others = [ip.text or "" for nic in (nics if nics is not None else []) for ip in nic.iter()
                  if ip.tag.endswith("}ipAddress")]
        self.addresses = tuple(dict.fromkeys(a for a in (primary, *others) if a))

    def identity(self, group: str) -> NodeIdentity:
        host = self.name.split(".", 1)[0]
        return NodeIdentity(instance_id=self.uuid, instance_group=group, node_name=host,
                            addresses=tuple(dict.fromkeys((host, *self.addresses))))


def _find(session: Session, uuid: str) -> _VM | None:
    """The VM with that BIOS UUID (as vSphere or an older guest's Linux shows it), or None."""
    for candidate in dict.fromkeys((uuid, swapped(uuid))):
        ref = session.find_vm_by_uuid(candidate)
        if ref is not None:
            return _VM(session.properties(ref, VM_PROPERTIES), session.custom_field_names())
    return None


def verify(cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str, body: bytes,
           instance_group: str, now: float | None = None) -> NodeIdentity:
    """See :meth:`kops.cloud.CloudProvider.verify_node_identity`."""
    name = cluster["metadata"]["name"]
    claim = machinekey.parse(SCHEME, authorization)
    if not UUID.match(claim.machine_id):
        raise NodeIdentityRefused(f"the {SCHEME} proof names {claim.machine_id!r}, not a VM's BIOS UUID")
    try:
        with _session(cluster) as session:
            vm = _find(session, claim.machine_id)
    except KopsError as exc:
        raise NodeIdentityRefused(f"cannot check VM {claim.machine_id}: {exc}") from None
    if vm is None:
        raise NodeIdentityRefused(f"no VM has the BIOS UUID {claim.machine_id}")
    if vm.attributes.get(CLUSTER) != name:
        raise NodeIdentityRefused(f"VM {vm.name} ({claim.machine_id}) does not belong to cluster {name} (its "
                                  f"{CLUSTER} attribute is {vm.attributes.get(CLUSTER) or 'not set'})")
    if vm.power != "poweredOn":
        raise NodeIdentityRefused(f"VM {vm.name} ({claim.machine_id}) is {vm.power or 'in no known state'}, not "
                                  "powered on")
    machinekey.check(claim, vm.key, body, now)
    machinekey.check_group(name, groups, vm.name, instance_group, vm.attributes.get(INSTANCE_GROUP, ""))
    return vm.identity(instance_group)


def identify(cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
    """See :meth:`kops.cloud.CloudProvider.identify_node`: ``vsphere://<BIOS UUID>``."""
    uuid = provider_id.removeprefix(PROVIDER_PREFIX).lower()
    if not provider_id.startswith(PROVIDER_PREFIX) or not UUID.match(uuid):
        return None
    with _session(cluster) as session:
        vm = _find(session, uuid)
    if vm is None or vm.attributes.get(CLUSTER) != cluster["metadata"]["name"] or vm.power != "poweredOn":
        return None
    group = vm.attributes.get(INSTANCE_GROUP, "")
    return vm.identity(group) if group else None

