"""The vCenter handle: one pyVmomi session from the ``VSPHERE_*`` environment, the inventory lookups the tasks share,
the cluster's objects listed in one property-collector call per kind, and how vCenter's errors read.

pyVmomi is imported here only, inside functions, so ``kops --help`` and offline commands never load it.
"""

from __future__ import annotations

import os
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any

from kops.engine import CloudErrors
from kops.errors import KopsError

from kops_vsphere.labels import CLUSTER, FIELDS

#: Where the credentials come from (never from a spec), and an optional CA bundle for the vCenter's certificate.
USERNAME, PASSWORD, CA_FILE, SERVER = "VSPHERE_USERNAME", "VSPHERE_PASSWORD", "VSPHERE_CA_FILE", "VSPHERE_SERVER"
#: Properties read of every listed VM.
VM_PROPERTIES = ("name", "parent", "customValue", "runtime.powerState", "config.instanceUuid", "config.uuid",
                 "config.hardware.numCPU", "config.hardware.memoryMB", "config.hardware.device", "config.extraConfig",
                 "guest.ipAddress")


@dataclass
class Listed:
    """An inventory object as listed: its managed object, its properties, and kops' attributes by name."""

    obj: Any
    props: dict[str, Any]
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.obj._moId)

    @property
    def name(self) -> str:
        return str(self.props.get("name", ""))


class VSphereErrors(CloudErrors):
    def unreachable(self, exc: BaseException) -> str | None:
        if isinstance(exc, ConnectionError | TimeoutError | ssl.SSLError) or type(exc).__name__ == "gaierror":
            return os.environ.get(SERVER, "the vCenter")
        return None

    def transient(self, exc: BaseException) -> bool:
        return type(exc).__name__ in ("TaskInProgress", "ConcurrentAccess")

    def explain(self, exc: BaseException) -> str | None:
        name = type(exc).__name__
        if name == "InvalidLogin":
            return f"vCenter {os.environ.get(SERVER)} refused the credentials in {USERNAME} and {PASSWORD}"
        msg = getattr(exc, "msg", None)
        return f"vCenter: {name}: {msg}" if msg else None


ERRORS = VSphereErrors()


class VSphereAPI:
    """A session with one vCenter and one datacenter."""

    def __init__(self, server: str, username: str, password: str, datacenter: str, ca_file: str | None = None):
        self.server, self.datacenter_name = server, datacenter
        self._credentials = (username, password, ca_file)
        self._si: Any = None
        self._lock = threading.RLock()
        self._field_keys: dict[str, int] = {}
        #: Held while a VM's devices are read and one is added, so two disks added at once take distinct SCSI units.
        self.devices_lock = threading.Lock()

    @classmethod
    def from_environment(cls, datacenter: str) -> VSphereAPI:
        server = os.environ.get(SERVER, "")
        missing = [v for v in (SERVER, USERNAME, PASSWORD) if not os.environ.get(v)]
        if missing:
            raise KopsError(f"vSphere: set {' and '.join(missing)} to reach the vCenter")
        return cls(server, os.environ[USERNAME], os.environ[PASSWORD], datacenter, os.environ.get(CA_FILE) or None)

    @property
    def si(self) -> Any:
        """The service instance, connected on first use."""
        with self._lock:
            if self._si is None:
                from pyVim.connect import SmartConnect

                username, password, ca_file = self._credentials
                host, _, port = self.server.rpartition(":") if ":" in self.server else (self.server, "", "443")
                context = ssl.create_default_context(cafile=ca_file)
                self._si = SmartConnect(host=host, port=int(port), user=username, pwd=password, sslContext=context)
            return self._si

    @property
    def content(self) -> Any:
        return self.si.RetrieveContent()

    def find(self, path: str) -> Any:
        """The inventory object at ``path`` (``DC0/vm/x``), or None."""
        return self.content.searchIndex.FindByInventoryPath(path.strip("/"))

    def require(self, path: str, what: str) -> Any:
        found = self.find(path)
        if found is None:
            raise KopsError(f"vSphere: {what} {path!r} does not exist in vCenter {self.server}")
        return found

    @property
    def datacenter(self) -> Any:
        return self.require(self.datacenter_name, "datacenter (spec.cloudConfig.vSphereDatacenter)")

    def field_key(self, name: str) -> int:
        """The key of kops' custom attribute ``name``, defining it on first use."""
        with self._lock:
            if not self._field_keys:
                self._field_keys = {f.name: f.key for f in self.content.customFieldsManager.field or []}
            if name not in self._field_keys:
                from pyVmomi import vim

                try:
                    made = self.content.customFieldsManager.AddCustomFieldDef(name=name, moType=vim.ManagedEntity)
                    self._field_keys[name] = made.key
                except vim.fault.DuplicateName:  # another run defined it meanwhile
                    self._field_keys = {f.name: f.key for f in self.content.customFieldsManager.field or []}
            return self._field_keys[name]

    def set_attributes(self, entity: Any, attributes: dict[str, str]) -> None:
        manager = self.content.customFieldsManager
        for name, value in attributes.items():
            manager.SetField(entity=entity, key=self.field_key(name), value=value)

    def wait(self, task: Any) -> Any:
        """Wait for a vCenter task; its result."""
        from pyVim.task import WaitForTask

        WaitForTask(task, si=self.si)
        return task.info.result

    def list_owned(self, kind: str, cluster_name: str) -> list[Listed]:
        """Every ``kind`` (``Folder`` or ``VirtualMachine``) under the datacenter's VM folder whose cluster
        attribute is ``cluster_name``: one property-collector call."""
        from pyVmomi import vim, vmodl

        mo_type = {"Folder": vim.Folder, "VirtualMachine": vim.VirtualMachine}[kind]
        paths = VM_PROPERTIES if kind == "VirtualMachine" else ("name", "parent", "customValue")
        content = self.content
        view = content.viewManager.CreateContainerView(self.datacenter.vmFolder, [mo_type], True)
        collector = vmodl.query.PropertyCollector
        spec = collector.FilterSpec(
            objectSet=[collector.ObjectSpec(obj=view, skip=True, selectSet=[
                collector.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)])],
            propSet=[collector.PropertySpec(type=mo_type, pathSet=list(paths))])
        try:
            result = content.propertyCollector.RetrievePropertiesEx([spec], collector.RetrieveOptions())
            objects = list(result.objects) if result else []
            while result is not None and result.token:
                result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
                objects += result.objects
        finally:
            view.Destroy()
        names = {key: name for name, key in self._known_fields().items()}
        found = []
        for obj in objects:
            props = {p.name: p.val for p in obj.propSet}
            attributes = {names[v.key]: v.value for v in props.get("customValue") or [] if v.key in names}
            if attributes.get(CLUSTER) == cluster_name:
                found.append(Listed(obj.obj, props, attributes))
        return found

    def _known_fields(self) -> dict[str, int]:
        fields = {f.name: f.key for f in self.content.customFieldsManager.field or [] if f.name in FIELDS}
        with self._lock:
            self._field_keys.update(fields)
        return fields
