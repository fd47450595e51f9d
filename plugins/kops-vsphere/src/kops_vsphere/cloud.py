"""The ``vsphere`` cloud driver: zones, VM sizes and defaults, answered offline.

A zone is a vSphere compute cluster of the datacenter (``--vsphere-datacenter``), which is the cluster's region.
A machine type names a VM size, its CPUs and memory (``4cpu-8gb``): VMs are clones of a template (``--image``)
with the group's size.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from kops.cloud import CloudInstance, CloudInstanceGroup, CloudProvider, EtcdVolumes, NodeIdentity
from kops.errors import KopsError

#: A VM size: CPUs and memory in GiB.
MACHINE_TYPE = re.compile(r"^(?P<cpus>[0-9]+)cpu-(?P<memory>[0-9]+)gb$")
#: vSphere's limits for one VM (vSphere 7 and 8: 768 vCPUs, 24 TiB of memory).
MAX_CPUS = 768
MAX_MEMORY_GB = 24 * 1024
#: Inventory names are at most 80 characters; ``/`` separates an inventory path's parts.
MAX_NAME = 80
#: The variable naming the datacenter, the default of --vsphere-datacenter.
DATACENTER_VARIABLE = "VSPHERE_DATACENTER"


def zone_problem(zone: str) -> str | None:
    """Why ``zone`` cannot be a compute cluster's name, or None."""
    if not zone or zone != zone.strip():
        return "a compute cluster's name, without leading or trailing blanks"
    if len(zone) > MAX_NAME:
        return f"a compute cluster's name, at most {MAX_NAME} characters"
    if "/" in zone or any(ord(c) < 32 for c in zone):
        return "a compute cluster's name, not an inventory path"
    return None


def machine_type_problem(machine_type: str) -> str | None:
    """Why ``machine_type`` is not a VM size kops can give a clone, or None."""
    m = MACHINE_TYPE.match(machine_type)
    if m is None:
        return f"{machine_type!r} is not a vSphere VM size: CPUs and memory in GiB, such as 4cpu-8gb"
    cpus, memory = int(m["cpus"]), int(m["memory"])
    if not 1 <= cpus <= MAX_CPUS:
        return f"{machine_type!r}: a VM has from 1 to {MAX_CPUS} CPUs"
    if not 1 <= memory <= MAX_MEMORY_GB:
        return f"{machine_type!r}: a VM has from 1 to {MAX_MEMORY_GB} GiB of memory"
    return None


class VSphereCloud(CloudProvider):
    name = "vsphere"
    channel_provider_id = "vsphere"
    # The size of a typical Ubuntu cloud-image template (and the testbed's), enough for either role; upstream's
    # defaults were placeholders. Name others with --control-plane-size and --node-size.
    default_machine_types = {
        "ControlPlane": ["2cpu-4gb"],
        "Node": ["2cpu-4gb"],
    }
    # No load balancer service: the API is reached at the control plane's own addresses.
    api_load_balancers = False
    # kops makes each group's VMs itself: a rolling update applies the cluster after each wave to replace them.
    replaces_instances = False
    # vSphere's resources are not written as Terraform by kops (upstream's vSphere had no Terraform either).
    writes_terraform = False

    def region_for_zone(self, zone: str) -> str:
        """A compute cluster's region is its datacenter: the one configured (``VSPHERE_DATACENTER``)."""
        problem = zone_problem(zone)
        if problem:
            raise KopsError(f"invalid vSphere zone {zone!r}: expected {problem}")
        return os.environ.get(DATACENTER_VARIABLE, "")

    def region(self, cluster: Any) -> str:
        """The datacenter the cluster's spec names (``spec.cloudConfig.vSphereDatacenter``)."""
        config = cluster.spec.cloudConfig
        datacenter = config.vSphereDatacenter if config is not None else None
        return datacenter or super().region(cluster)

    def group_name_for_zone(self, zone: str) -> str:
        """Compute clusters may be named anything (``DC0_C0``, ``Cluster 01``): in group names their name is
        lowercased, with every run of other characters than letters and digits one ``-``."""
        part = re.sub(r"[^a-z0-9]+", "-", zone.lower()).strip("-")
        return part or "zone-" + hashlib.sha256(zone.encode()).hexdigest()[:8]

    def machine_type_problem(self, machine_type: str) -> str | None:
        return machine_type_problem(machine_type)

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes:
        """etcd-manager's ``external`` provider, as upstream uses on bare metal: a member's data is the directory
        ``/mnt/disks/<cluster>--<etcd>--<member>`` of its control-plane VM (vSphere has no volume tags), where the VM
        mounts the member's disk at boot (:mod:`kops.nodeup.disks`)."""
        prefix = f"{cluster.metadata.name}--{etcd_name}--"
        return EtcdVolumes(["--volume-provider=external", f"--volume-tag={prefix}"], node_disks=prefix)

    def etcd_disk_device(self, name: str) -> str | None:
        """The disk's UUID, which kops sets in the VM's guest info when it attaches it, as the guest sees it."""
        from kops_vsphere import guestinfo

        return guestinfo.etcd_disk_device(name)

    # --- the engine's side: a run's context, what the cluster owns ---------------------------------------

    def engine_context(self, model: Any) -> Any:
        """A run's context: a vCenter session (connected on first use), the run's listings, vCenter's errors."""
        from kops.engine import Context

        from kops_vsphere.api import ERRORS, VSphereAPI
        from kops_vsphere.discovery import DISCOVERY

        if model.target == "terraform":
            raise KopsError("cloud vsphere: kops writes no Terraform for vSphere; use kops update cluster --yes")
        api = VSphereAPI.from_environment(self.region(model.cluster))
        return Context(model.cluster_name, cloud=api, snapshot=DISCOVERY.snapshot(api, model.cluster_name),
                       errors=ERRORS)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        from kops_vsphere.discovery import DISCOVERY

        return DISCOVERY.deletion_tasks(ctx.snapshot, model.cluster_name)

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        from kops_vsphere.discovery import store_ids

        return store_ids(ctx.snapshot)

    # --- a running cluster: its groups' VMs ----------------------------------------------------------------

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None,
                     ) -> list[CloudInstanceGroup]:
        from kops_vsphere import cloudgroups
        from kops_vsphere.api import VSphereAPI

        return cloudgroups.cloud_groups(VSphereAPI.from_environment(self.region(cluster)), cluster, instance_groups)

    def delete_instance(self, instance: CloudInstance) -> None:
        from kops_vsphere import cloudgroups

        cloudgroups.delete_instance(instance)

    def detach_instance(self, instance: CloudInstance) -> None:
        from kops_vsphere import cloudgroups

        cloudgroups.detach_instance(instance)

    # --- nodes joining: a machine key in each VM's guest info (see kops_vsphere.identity) -------------------

    def node_identity_proof(self, body: bytes) -> str:
        from kops_vsphere import identity

        return identity.proof(body)

    def verify_node_identity(self, cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str,
                             body: bytes, instance_group: str) -> NodeIdentity:
        from kops_vsphere import identity

        return identity.verify(cluster, groups, authorization, body, instance_group)

    def identify_node(self, cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
        from kops_vsphere import identity

        return identity.identify(cluster, provider_id)
