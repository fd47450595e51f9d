"""SecurityGroup: one per role (``masters.<cluster>``, ``nodes.<cluster>``, ``bastion.<cluster>``) and one for the
API load balancer's port (``api.<cluster>``), as upstream names them. Neutron gives a new group rules letting all
traffic out; kops adds what may come in (:mod:`kops_openstack.tasks.security_group_rule`)."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY, owns, tagged
from kops_openstack.tasks import OpenstackTask, sorted_tags


class SecurityGroup(OpenstackTask):
    description: str | None = None
    tags: list[str] | None = None
    id: str | None = None

    kind = "securityGroups"
    output_fields = {"id"}

    def find(self, ctx: Context) -> SecurityGroup | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return SecurityGroup(name=self.name, lifecycle=self.lifecycle, description=raw.description,
                             tags=sorted_tags(raw.tags), id=raw.id)

    def render_direct(self, ctx: Context, actual: SecurityGroup | None, changes: Changes) -> None:
        net = ctx.cloud.network
        if actual is None:
            self.id = net.create_security_group(name=self.name, description=self.description or "").id
        elif "description" in changes:
            net.update_security_group(self.id, description=self.description or "")
        net.set_tags(net.get_security_group(self.id), self.tags or [])

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.network.delete_security_group(self.id, ignore_missing=True)


@DISCOVERY.register("securityGroups")
def list_security_groups(conn: Any, cluster_name: str) -> list[Any]:
    return tagged(conn.network.security_groups, cluster_name)


@DISCOVERY.register_deletions("securityGroups")
def delete_security_groups(snapshot: Snapshot, cluster_name: str) -> list[SecurityGroup]:
    return [SecurityGroup(name=r.name, id=r.id) for r in snapshot.get("securityGroups") if owns(r, cluster_name)]
