"""A running cluster on OpenStack, for day-2 operations (``kops get instances``, validation, rolling updates): each
instance group's servers, found by their metadata (``KubernetesCluster`` and ``KopsInstanceGroup``).

A server is up to date when it carries its group's current configuration digest (:mod:`kops_openstack.config`).
OpenStack has no autoscaling groups: kops makes each group's servers itself (:mod:`kops_openstack.model.servers`),
so deleting a server only deletes it (with its port when it was detached) and the next apply (which a rolling
update runs: :attr:`kops.cloud.CloudProvider.replaces_instances`) makes its place's replacement. Detaching one (a
rolling update's surge) marks it ``KopsDetached``, takes its place and gives its port up, so the apply makes the
replacement on a new port while it keeps running; it is listed as detached until it is deleted.
"""

from __future__ import annotations

from typing import Any

from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.model import role_of

from kops_openstack.config import config_digest
from kops_openstack.labels import CONFIG_KEY, DETACHED_KEY, INSTANCE_GROUP_KEY, SLOT_KEY, owned_metadata
from kops_openstack.tasks.instance import BUILD_TIMEOUT
from kops_openstack.tasks.port import DETACHED

#: Server states that count as running.
STATES = {"ACTIVE": "running", "BUILD": "pending", "ERROR": "error", "SHUTOFF": "stopped"}


def provider_id(server_id: str) -> str:
    """The Node ``spec.providerID`` OpenStack's cloud controller manager gives a server."""
    return f"openstack:///{server_id}"


def cloud_groups(conn: Any, cluster: Any, instance_groups: list[Any]) -> list[CloudInstanceGroup]:
    name = cluster.metadata.name
    servers = [s for s in conn.compute.servers(details=True) if owned_metadata(s.metadata, name)]
    flavors = {f.id: f.name for f in conn.compute.flavors()}
    out = []
    for group in instance_groups:
        digest = config_digest(cluster, group)
        instances = []
        for server in sorted(servers, key=lambda s: s.name):
            meta = server.metadata or {}
            if meta.get(INSTANCE_GROUP_KEY) != group.metadata.name:
                continue
            detached = DETACHED_KEY in meta
            current = meta.get(CONFIG_KEY) == digest and not detached
            instances.append(CloudInstance(
                id=server.id, instance_group=group.metadata.name, role=role_of(group),
                state=STATES.get(server.status, str(server.status).lower()),
                status=UP_TO_DATE if current else NEEDS_UPDATE,
                machine_type=flavors.get((server.flavor or {}).get("id"), (server.flavor or {}).get("original_name",
                                                                                                     "")),
                internal_ip=_address(server, "fixed"), external_ip=_address(server, "floating"),
                zone=server.availability_zone or "", provider_id=provider_id(server.id), node_name=server.name,
                detached=detached, handle=(conn, server)))
        size = group.spec.minSize if group.spec.minSize is not None else 1
        out.append(CloudInstanceGroup(instance_group=group, min_size=size, max_size=group.spec.maxSize or size,
                                      target_size=size, instances=instances))
    return out


def _address(server: Any, kind: str) -> str:
    for addresses in (server.addresses or {}).values():
        for address in addresses:
            if address.get("OS-EXT-IPS:type") == kind:
                return str(address.get("addr") or "")
    return ""


def delete_instance(instance: CloudInstance) -> None:
    """Delete the server; a detached one's port goes with it (its place's port is its replacement's)."""
    conn, server = instance.handle
    ports = [p for p in conn.network.ports(device_id=server.id) if DETACHED in (p.name or "")]
    conn.compute.delete_server(server.id, ignore_missing=True)
    conn.compute.wait_for_delete(server, wait=BUILD_TIMEOUT)
    for port in ports:
        conn.network.delete_port(port.id, ignore_missing=True)


def detach_instance(instance: CloudInstance) -> None:
    """Take the server out of its place, leaving it running: it is marked detached and its port renamed, so the
    next apply makes its replacement."""
    conn, server = instance.handle
    if instance.detached:
        return
    for port in conn.network.ports(device_id=server.id):
        if port.name and DETACHED not in port.name:
            conn.network.update_port(port.id, name=f"{port.name}{DETACHED}{server.id[:8]}")
    conn.compute.set_server_metadata(server.id, **{DETACHED_KEY: "true", SLOT_KEY: f"detached-{server.id}"})
