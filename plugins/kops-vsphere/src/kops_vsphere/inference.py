"""vSphere inference rules, contributed to core through the ``kops_inference_rules`` hook."""

from __future__ import annotations

import os

from kops.errors import KopsError
from kops.inference import InferenceContext, Rule, rule

#: Upstream's settings of a vSphere cluster: the ``kops create cluster`` option, its flag, the variable it defaults
#: to, the ``spec.cloudConfig`` field it fills and what it names.
SETTINGS = (
    ("vsphere_server", "--vsphere-server", "VSPHERE_SERVER", "vSphereServer",
     "the vCenter server, host[:port] without https://"),
    ("vsphere_datacenter", "--vsphere-datacenter", "VSPHERE_DATACENTER", "vSphereDatacenter",
     "the datacenter of the cluster's VMs"),
    ("vsphere_resource_pool", "--vsphere-resource-pool", "VSPHERE_RESOURCE_POOL", "vSphereResourcePool",
     "the cluster, host or resource pool the VMs run in"),
    ("vsphere_datastore", "--vsphere-datastore", "VSPHERE_DATASTORE", "vSphereDatastore",
     "the datastore of the VMs' disks"),
)
#: The network (port group) the VMs attach to, the default of ``--network-id``.
NETWORK_VARIABLE = "VSPHERE_NETWORK"


@rule("create", 17, clouds=("vsphere",))
def cloud_config(ctx: InferenceContext) -> None:
    """A new vSphere cluster's ``cloudConfig``: where its VMs go, from the flags or else the ``VSPHERE_*``
    variables, all required as upstream required them; and the network its VMs attach to (``networkID``), from
    ``--network-id`` or else ``VSPHERE_NETWORK`` (without either, clones keep their template's network)."""
    config = ctx.spec.setdefault("cloudConfig", {})
    for option, flag, variable, key, what in SETTINGS:
        value = (getattr(ctx.options, option) or os.environ.get(variable, "")).strip()
        if not value:
            raise KopsError(f"{flag}: required for vSphere ({what}); pass it, or set {variable}")
        config[key] = value
    network = os.environ.get(NETWORK_VARIABLE, "").strip()
    if network and not ctx.spec.get("networkID"):
        ctx.spec["networkID"] = network


def rules() -> list[Rule]:
    return [cloud_config]
