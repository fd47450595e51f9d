"""Helpers for the vSphere plugin's tests: reading what ``kops`` prints."""

from __future__ import annotations

from typing import Any

import yaml

#: What a user points kops at, as the testbed exports it (the names of govmomi's simulator inventory).
SETTINGS = {
    "VSPHERE_SERVER": "vcenter.example.com",
    "VSPHERE_DATACENTER": "DC0",
    "VSPHERE_RESOURCE_POOL": "/DC0/host/DC0_C0/Resources",
    "VSPHERE_DATASTORE": "LocalDS_0",
}
#: The VM template clusters clone (``--image``).
TEMPLATE = "ubuntu-24.04-server-cloudimg-amd64"


def groups(docs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The instance groups' specs, by group name."""
    return {key.split("/", 1)[1]: doc["spec"] for key, doc in docs.items() if key.startswith("InstanceGroup/")}


def one_line_error(result: Any) -> str:
    """The error of a failed command, checked to be one line with no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def documents(text: str) -> dict[str, Any]:
    """The documents of ``kops ... -o yaml``, as ``{"Cluster": tree, "InstanceGroup/<name>": tree, ...}``."""
    docs: dict[str, Any] = {}
    for doc in yaml.safe_load_all(text):
        if doc:
            docs["Cluster" if doc["kind"] == "Cluster" else f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return docs
