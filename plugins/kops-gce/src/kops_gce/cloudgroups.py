"""A running cluster on GCE, for day-2 operations (``kops get instances``, validation, rolling updates): each
instance group's managed instance groups (one per zone) and their machines.

A machine is up to date when its group made it from the template the group makes machines from now (upstream's
rule): a changed instance group gets a new template, so every machine made from an older one needs replacing.

Deleting a machine deletes it through its group and gives the group its size back, so the group makes a
replacement under a new name (a Kubernetes Node of the old name, cordoned and drained, is never reused).
Detaching one (a rolling update's surge) abandons it, which takes it out of the group but leaves it running, and
likewise gives the group its size back, so the replacement starts first. An abandoned machine still carries the
group's label: it is listed as detached until it is deleted, which then deletes it directly.
"""

from __future__ import annotations

import time
from typing import Any

from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.model import role_of

from kops_gce.api import ERRORS, GCE, not_found, status
from kops_gce.discovery import label_filter
from kops_gce.labels import INSTANCE_GROUP_LABEL, label_value, owned
from kops_gce.model.groups import manager_name
from kops_gce.tasks import last

#: How often a day-2 call is tried while GCE answers that it is busy or overloaded, and the first wait (seconds).
ATTEMPTS = 6
RETRY_DELAY = 0.5
#: What a group is doing to a machine it is letting go of (``listManagedInstances``' ``currentAction``).
LEAVING = frozenset({"DELETING", "ABANDONING"})


def _group_of(manager: dict[str, Any], cluster_name: str, group_names: list[str]) -> str | None:
    """The instance group a managed instance group is of, as upstream matches them: named as that group's would be
    in the manager's zone (one since left out of the group's zones included); and described as the cluster's (or,
    made by Terraform, as no cluster's)."""
    description = str(manager.get("description") or "")
    if description.startswith("kops cluster ") and not owned(manager, cluster_name):
        return None
    zone = last(manager.get("zone"))
    return next((g for g in group_names if manager_name(cluster_name, g, zone) == manager["name"]), None)


def cloud_groups(gce: GCE, cluster: Any, instance_groups: list[Any]) -> list[CloudInstanceGroup]:
    name = cluster.metadata.name
    group_names = [g.metadata.name for g in instance_groups]
    wanted: dict[str, str] = {}
    managers_by_name: dict[str, dict[str, Any]] = {}
    for manager in _retried(lambda: gce.aggregated("InstanceGroupManagers")):
        group_name = _group_of(manager, name, group_names)
        if group_name is not None:
            wanted[manager["name"]] = group_name
            managers_by_name[manager["name"]] = manager
    managers = list(managers_by_name.values())
    machines = {m["self_link"]: m for m in _retried(lambda: gce.aggregated("Instances", label_filter(name)))}
    managed: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    members: set[str] = set()
    for manager in sorted(managers, key=lambda m: m["name"]):
        for item in _managed_instances(gce, manager):
            members.add(item["instance"])
            if item.get("current_action") in LEAVING:
                continue  # on its way out: neither a machine to replace again nor one the group counts
            managed.setdefault(wanted[manager["name"]], []).append((manager, item))
    out = []
    for group in instance_groups:
        group_name = group.metadata.name
        instances = []
        for manager, item in managed.get(group_name, []):
            current = item.get("version", {}).get("instance_template") == manager.get("instance_template")
            machine = machines.get(item["instance"]) or {"name": last(item["instance"]),
                                                         "self_link": item["instance"],
                                                         "zone": manager.get("zone"),
                                                         "status": item.get("instance_status") or "PROVISIONING"}
            instances.append(_instance(gce, group, machine, UP_TO_DATE if current else NEEDS_UPDATE, manager))
        for link, machine in sorted(machines.items()):
            if link not in members and (machine.get("labels") or {}).get(INSTANCE_GROUP_LABEL) == \
                    label_value(group_name) and owned(machine, name):
                instances.append(_instance(gce, group, machine, NEEDS_UPDATE, None, detached=True))
        size = sum(int(m.get("target_size") or 0) for m in managers if wanted[m["name"]] == group_name)
        out.append(CloudInstanceGroup(instance_group=group, min_size=size, max_size=size, target_size=size,
                                      instances=instances))
    return out


def _managed_instances(gce: GCE, manager: dict[str, Any]) -> list[dict[str, Any]]:
    from kops_gce.api import as_dict

    client = gce.compute("InstanceGroupManagers")
    try:
        return _retried(lambda: [as_dict(item) for item in client.list_managed_instances(
            project=gce.project, zone=last(manager.get("zone")), instance_group_manager=manager["name"])])
    except Exception as exc:  # noqa: BLE001 - a group deleted meanwhile has no machines
        if not_found(exc):
            return []
        raise


def _instance(gce: GCE, group: Any, machine: dict[str, Any], status: str, manager: dict[str, Any] | None,
              detached: bool = False) -> CloudInstance:
    zone = last(machine.get("zone"))
    interfaces = machine.get("network_interfaces") or [{}]
    configs = interfaces[0].get("access_configs") or [{}]
    return CloudInstance(
        id=machine["name"], instance_group=group.metadata.name, role=role_of(group),
        state=str(machine.get("status") or "").lower(), status=status,
        machine_type=last(machine.get("machine_type")), internal_ip=interfaces[0].get("network_i_p") or
        interfaces[0].get("network_ip") or "", external_ip=configs[0].get("nat_i_p") or configs[0].get("nat_ip") or "",
        zone=zone, provider_id=f"gce://{gce.project}/{zone}/{machine['name']}", detached=detached,
        handle=(gce, manager, machine["self_link"]))


def delete_instance(instance: CloudInstance) -> None:
    """Delete the machine; its group, keeping its size, makes a replacement (a detached one is just deleted)."""
    gce, manager, link = instance.handle
    if manager is None or instance.detached:
        client = gce.compute("Instances")
        try:
            _retried(lambda: gce.wait(client.delete(project=gce.project, zone=instance.zone, instance=instance.id)))
        except Exception as exc:  # noqa: BLE001 - one already gone is what deleting wanted
            if not not_found(exc):
                raise
        return
    _out_of_group(gce, manager, link, "delete_instances")


def detach_instance(instance: CloudInstance) -> None:
    """Take the machine out of its group, leaving it running; the group, keeping its size, makes a replacement."""
    gce, manager, link = instance.handle
    if manager is None or instance.detached:
        return
    _out_of_group(gce, manager, link, "abandon_instances")


def _out_of_group(gce: GCE, manager: dict[str, Any], link: str, method: str) -> None:
    """Delete or abandon a group's machine (either lowers its size by one), then give the group its size back.
    A call GCE answers as busy or overloaded is tried again; one that took effect before its answer was lost (the
    machine is no longer the group's) counts as done."""
    from google.cloud import compute_v1

    client = gce.compute("InstanceGroupManagers")
    where = {"project": gce.project, "zone": last(manager.get("zone")), "instance_group_manager": manager["name"]}
    size = _retried(lambda: client.get(**where).target_size)
    tried = []

    def out() -> None:
        try:
            if method == "delete_instances":
                gce.wait(client.delete_instances(**where, instance_group_managers_delete_instances_request_resource=(
                    compute_v1.InstanceGroupManagersDeleteInstancesRequest(instances=[link]))))
            else:
                gce.wait(client.abandon_instances(**where, instance_group_managers_abandon_instances_request_resource=(
                    compute_v1.InstanceGroupManagersAbandonInstancesRequest(instances=[link]))))
        except Exception as exc:
            if tried and status(exc) == 400 and link not in _members(gce, manager):
                return
            tried.append(exc)
            raise

    _retried(out)
    _retried(lambda: gce.wait(client.resize(**where, size=size)))


def _members(gce: GCE, manager: dict[str, Any]) -> set[str]:
    return {item["instance"] for item in _managed_instances(gce, manager)}


def _retried(call: Any) -> Any:
    """``call()``, tried again after a short wait while GCE answers that it is busy or overloaded."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return call()
        except Exception as exc:
            if attempt == ATTEMPTS or not ERRORS.transient(exc):
                raise
            time.sleep(min(RETRY_DELAY * 2 ** (attempt - 1), 5.0))
    return None
