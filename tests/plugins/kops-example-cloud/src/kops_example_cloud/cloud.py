"""The ``example`` cloud driver: what core asks of a cloud, answered for a small cloud with one region.

Zones are ``zone-a``, ``zone-b``... of region ``example-1``. The facts (zones, machine types, the image, etcd's
volumes) are answered offline; the engine's side and the running cluster's side import the API client only when a
run needs them, so loading the driver on every CLI start stays cheap.
"""

from __future__ import annotations

import re
from typing import Any

from kops.cloud import CloudInstance, CloudInstanceGroup, CloudProvider, EtcdVolumes
from kops.errors import KopsError

from kops_example_cloud.labels import ROLE_LABEL, cluster_key, etcd_key

#: The cloud's only region, and the shape of its zones.
REGION = "example-1"
_ZONE = re.compile(r"^zone-[a-z]$")
#: A machine type: a family and a size (``standard-2``, ``small-1``).
_MACHINE_TYPE = re.compile(r"^[a-z]+-[0-9]+$")


class ExampleCloud(CloudProvider):
    name = "example"
    default_machine_types = {"ControlPlane": ["standard-2"], "Node": ["standard-2"], "Bastion": ["small-1"]}
    # No release channel lists images for this cloud, so new groups get its own.
    default_image = "example-os-24.04"
    # The network's CIDR; a subnet is only a zone, and the cloud gives each machine an address in the network.
    default_network_cidr = "10.10.0.0/16"
    # No load balancers: the API is reached at the control plane's own addresses.
    api_load_balancers = False

    def region_for_zone(self, zone: str) -> str:
        if not _ZONE.match(zone):
            raise KopsError(f"invalid example zone {zone!r}: expected a zone such as zone-a")
        return REGION

    def machine_type_problem(self, machine_type: str) -> str | None:
        if _MACHINE_TYPE.match(machine_type):
            return None
        return f"{machine_type!r} is not an example machine type (a family and a size, such as standard-2)"

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes:
        """etcd-manager finds a member's volume by the labels the model gives it (:mod:`kops_example_cloud.model`)."""
        return EtcdVolumes([
            "--volume-provider=example",
            f"--volume-name-tag={etcd_key(etcd_name)}",
            f"--volume-tag={etcd_key(etcd_name)}",
            f"--volume-tag={ROLE_LABEL}=ControlPlane",
            f"--volume-tag={cluster_key(cluster.metadata.name)}=owned",
        ])

    # --- the engine's side: a run's context, what the cluster owns ---------------------------------------

    def engine_context(self, model: Any) -> Any:
        """A run's context: the API client, a snapshot listing each kind once, the API's errors. Terraform output
        (which every task refuses: the cloud has no Terraform provider) gets one that reaches no API."""
        from kops.engine import Context

        from kops_example_cloud.api import ERRORS, ExampleAPI
        from kops_example_cloud.discovery import DISCOVERY

        if model.target == "terraform":
            return Context(model.cluster_name)
        api = ExampleAPI.from_environment()
        return Context(model.cluster_name, cloud=api, snapshot=DISCOVERY.snapshot(api, model.cluster_name),
                       errors=ERRORS)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        from kops_example_cloud.discovery import DISCOVERY

        return DISCOVERY.deletion_tasks(ctx.snapshot, model.cluster_name)

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        from kops_example_cloud.discovery import store_ids

        return store_ids(ctx.snapshot, model.cluster_name)

    # --- a running cluster: its pools and their instances -------------------------------------------------

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None,
                     ) -> list[CloudInstanceGroup]:
        from kops_example_cloud import cloudgroups
        from kops_example_cloud.api import ExampleAPI

        return cloudgroups.cloud_groups(ExampleAPI.from_environment(), cluster, instance_groups)

    def delete_instance(self, instance: CloudInstance) -> None:
        from kops_example_cloud import cloudgroups

        cloudgroups.delete_instance(instance)

    def detach_instance(self, instance: CloudInstance) -> None:
        from kops_example_cloud import cloudgroups

        cloudgroups.detach_instance(instance)
