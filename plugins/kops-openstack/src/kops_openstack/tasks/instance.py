"""Instance: one server of an instance group, in one of the group's places (``<group>-<n>-<cluster>``, kept in the
server's ``KopsName`` metadata as upstream; the server itself is named ``<group>-<6 random characters>``). kops
makes a server for each place that has none, as upstream does on OpenStack: the cloud has no autoscaling group.

A server is never changed in place except for its metadata: a different image, flavor or user data makes its
place's next server differ, and the server is reported as needing an update (its ``KopsConfig`` digest is not
its group's) until a rolling update replaces it. A server that failed to build (status ``ERROR``) is deleted and
made again. The flavor and image are looked up by name; a missing one stops the plan naming the group's field.
A new server gets a machine key in its metadata (:data:`kops_openstack.labels.MACHINE_KEY`), made at creation and
never read back into a plan.
"""

from __future__ import annotations

import base64
import secrets
import string
from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.errors import KopsError
from kops.nodeup import machinekey

from kops_openstack.discovery import DISCOVERY, owns
from kops_openstack.labels import CONFIG_KEY, DETACHED_KEY, MACHINE_KEY, SLOT_KEY
from kops_openstack.tasks import OpenstackTask
from kops_openstack.tasks.keypair import Keypair
from kops_openstack.tasks.port import Port, deletion
from kops_openstack.tasks.server_group import ServerGroup

#: Seconds a new server may take to become ACTIVE.
BUILD_TIMEOUT = 900
_SUFFIX = string.ascii_lowercase + string.digits


class Instance(OpenstackTask):
    group: str | None = None
    zone: str | None = None
    flavor: str | None = None
    image: str | None = None
    port: Port | None = None
    server_group: ServerGroup | None = None
    keypair: Keypair | None = None
    user_data: str | None = None
    config_drive: bool = False
    #: Everything but the configuration digest, which only a new server takes.
    metadata: dict[str, str] | None = None
    #: The digest of what the group's servers are made from (:func:`kops_openstack.cloudgroups.config_digest`).
    config: str | None = None
    id: str | None = None

    kind = "servers"
    ignored_fields = {"zone", "flavor", "image", "user_data", "config_drive", "config", "keypair", "server_group",
                      "port"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> Instance | None:
        if self.group is None:  # a deletion: the server listed by its ID
            raw = ctx.snapshot.first("servers", lambda s: s.id == self.id)
            return None if raw is None else Instance(name=self.name, lifecycle=self.lifecycle, id=raw.id)
        self._check_flavor_and_image(ctx)
        raw = ctx.snapshot.first("servers", lambda s: self._in_place(s) and s.status != "ERROR")
        if raw is None:
            return None
        metadata = {k: v for k, v in (raw.metadata or {}).items() if k not in (CONFIG_KEY, MACHINE_KEY)}
        return Instance(name=self.name, lifecycle=self.lifecycle, group=self.group, metadata=metadata, id=raw.id)

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "metadata":  # keys someone else added to a server are left alone
            return all((actual or {}).get(k) == v for k, v in (desired or {}).items())
        return super().field_equal(field, desired, actual)

    def _in_place(self, server: Any) -> bool:
        meta = server.metadata or {}
        return meta.get(SLOT_KEY) == self.name and DETACHED_KEY not in meta and owns(server, self._cluster())

    def _cluster(self) -> str:
        return (self.metadata or {}).get("KubernetesCluster", "")

    def _check_flavor_and_image(self, ctx: Context) -> None:
        if ctx.snapshot.first("flavors", lambda f: self.flavor in (f.name, f.id)) is None:
            raise KopsError(f"InstanceGroup/{self.group}: spec.machineType: OpenStack has no flavor {self.flavor!r}")
        if ctx.snapshot.first("images", lambda i: self.image in (i.name, i.id)) is None:
            raise KopsError(f"InstanceGroup/{self.group}: spec.image: OpenStack has no image {self.image!r}")

    def render_direct(self, ctx: Context, actual: Instance | None, changes: Changes) -> None:
        compute = ctx.cloud.compute
        if actual is not None:
            compute.set_server_metadata(self.id, **(self.metadata or {}))
            return
        for failed in ctx.snapshot.get("servers"):
            if self._in_place(failed) and failed.status == "ERROR":
                compute.delete_server(failed.id, ignore_missing=True)
        flavor = ctx.snapshot.first("flavors", lambda f: self.flavor in (f.name, f.id))
        image = ctx.snapshot.first("images", lambda i: self.image in (i.name, i.id))
        opts: dict[str, Any] = {
            "name": f"{self.group}-{''.join(secrets.choice(_SUFFIX) for _ in range(6))}",
            "flavor_id": flavor.id, "image_id": image.id, "networks": [{"port": self.port.id}],
            "availability_zone": self.zone, "metadata": {**(self.metadata or {}), CONFIG_KEY: self.config or "",
                                                       MACHINE_KEY: machinekey.new_key()},
            "user_data": base64.b64encode((self.user_data or "").encode()).decode(),
            "config_drive": self.config_drive,
        }
        if self.keypair is not None:
            opts["key_name"] = self.keypair.name
        if self.server_group is not None:
            opts["scheduler_hints"] = {"group": self.server_group.id}
        server = compute.create_server(**opts)
        self.id = server.id
        compute.wait_for_server(server, status="ACTIVE", failures=["ERROR"], wait=BUILD_TIMEOUT)

    def delete_direct(self, ctx: Context) -> None:
        compute = ctx.cloud.compute
        server = compute.get_server(self.id) if self.id else None
        if server is None:
            return
        compute.delete_server(server, ignore_missing=True)
        compute.wait_for_delete(server, wait=BUILD_TIMEOUT)


@DISCOVERY.register("servers")
def list_servers(conn: Any, cluster_name: str) -> list[Any]:
    return [s for s in conn.compute.servers(details=True) if owns(s, cluster_name)]


@DISCOVERY.register("flavors")
def list_flavors(conn: Any, cluster_name: str) -> list[Any]:
    return list(conn.compute.flavors())


@DISCOVERY.register("images")
def list_images(conn: Any, cluster_name: str) -> list[Any]:
    return list(conn.image.images())


@DISCOVERY.register_deletions("servers")
def delete_servers(snapshot: Snapshot, cluster_name: str) -> list[Instance]:
    """Each of the cluster's servers, before its ports (which a detached server's port is: see Port)."""
    found = []
    for server in snapshot.get("servers"):
        if not owns(server, cluster_name):
            continue
        ports = [p for p in snapshot.get("ports") if p.device_id == server.id]
        found.append(Instance(name=server.name, id=server.id, depends_on=[deletion(p) for p in ports]))
    return found
