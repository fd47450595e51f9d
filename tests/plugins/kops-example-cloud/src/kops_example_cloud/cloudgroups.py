"""A running cluster on the example cloud, for ``kops get instances`` and rolling updates: each instance group's pool
and its machines.

A machine is up to date when it was launched from its pool's current launch version. One detached from its pool
(a rolling update's surge) still carries the group's label, and is listed as detached until it is deleted.
"""

from __future__ import annotations

from typing import Any

from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.model import INSTANCE_GROUP_LABEL, role_of

from kops_example_cloud.api import ExampleAPI
from kops_example_cloud.labels import cluster_key, owned
from kops_example_cloud.model import pool_name


def cloud_groups(api: ExampleAPI, cluster: Any, instance_groups: list[Any]) -> list[CloudInstanceGroup]:
    name = cluster.metadata.name
    pools = {p["name"]: p for p in api.list("pools", label=cluster_key(name)) if owned(p, name)}
    machines = [i for i in api.list("instances", label=cluster_key(name)) if owned(i, name)]
    out = []
    for group in instance_groups:
        pool = pools.get(pool_name(group, name))
        instances = []
        for machine in machines:
            if pool is not None and machine["pool"] == pool["id"]:
                fresh = machine["launchVersion"] == pool["launchVersion"]
                instances.append(_instance(api, group, machine, UP_TO_DATE if fresh else NEEDS_UPDATE))
            elif not machine["pool"] and machine["labels"].get(INSTANCE_GROUP_LABEL) == group.metadata.name:
                instances.append(_instance(api, group, machine, NEEDS_UPDATE, detached=True))
        size = pool["size"] if pool else 0
        out.append(CloudInstanceGroup(instance_group=group, min_size=size, max_size=size, target_size=size,
                                      instances=instances))
    return out


def _instance(api: ExampleAPI, group: Any, machine: dict[str, Any], status: str, detached: bool = False,
              ) -> CloudInstance:
    return CloudInstance(
        id=machine["id"], instance_group=group.metadata.name, role=role_of(group), state=machine["state"],
        status=status, machine_type=machine["machineType"], internal_ip=machine["privateIp"], zone=machine["zone"],
        provider_id=f"example:///{machine['zone']}/{machine['id']}", detached=detached, handle=api)


def delete_instance(instance: CloudInstance) -> None:
    """End the machine; its pool, keeping its size, launches a replacement (a detached one is just ended)."""
    instance.handle.delete("instances", instance.id)


def detach_instance(instance: CloudInstance) -> None:
    """Take the machine out of its pool without ending it; the pool launches a replacement."""
    instance.handle.detach(instance.id)
