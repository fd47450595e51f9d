"""What the vSphere plugin's tests point kops at: the settings a user exports and the VM template clusters clone."""

from __future__ import annotations

#: What a user points kops at, as the testbed exports it (the names of govmomi's simulator inventory).
SETTINGS = {
    "VSPHERE_SERVER": "vcenter.example.com",
    "VSPHERE_DATACENTER": "DC0",
    "VSPHERE_RESOURCE_POOL": "/DC0/host/DC0_C0/Resources",
    "VSPHERE_DATASTORE": "LocalDS_0",
}
#: The VM template clusters clone (``--image``).
TEMPLATE = "ubuntu-24.04-server-cloudimg-amd64"
