"""ServerGroup: where an instance group's servers may run relative to each other, ``<cluster>-<group>`` with the
``anti-affinity`` policy unless the group's ``openstack.kops.io/server-group-affinity`` annotation names another,
as upstream.

Nova server groups take neither tags nor metadata, and ``<cluster>-<group>`` names can coincide between clusters
(``a.b``'s group ``c-nodes`` and ``a.b-c``'s group ``nodes``). So a listed group is the cluster's only when it holds
servers and every one of them is the cluster's; the driver adds empty groups named for the cluster's own instance
groups (:meth:`kops_openstack.cloud.OpenstackCloud.owned_resources`).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot

from kops_openstack.discovery import DISCOVERY
from kops_openstack.tasks import OpenstackTask


class ServerGroup(OpenstackTask):
    policies: list[str] | None = None
    id: str | None = None

    kind = "serverGroups"
    immutable_fields = {"policies"}
    output_fields = {"id"}

    def find(self, ctx: Context) -> ServerGroup | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return ServerGroup(name=self.name, lifecycle=self.lifecycle, policies=_policies(raw), id=raw.id)

    def render_direct(self, ctx: Context, actual: ServerGroup | None, changes: Changes) -> None:
        self.id = ctx.cloud.compute.create_server_group(name=self.name, policies=self.policies).id

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.compute.delete_server_group(self.id, ignore_missing=True)


def _policies(raw: Any) -> list[str]:
    return list(raw.policies or ([raw.policy] if getattr(raw, "policy", None) else []))


@DISCOVERY.register("serverGroups")
def list_server_groups(conn: Any, cluster_name: str) -> list[Any]:
    return [g for g in conn.compute.server_groups() if g.name.startswith(f"{cluster_name}-")]


@DISCOVERY.register_deletions("serverGroups")
def delete_server_groups(snapshot: Snapshot, cluster_name: str) -> list[ServerGroup]:
    ours = {s.id for s in snapshot.get("servers") if (s.metadata or {}).get("KubernetesCluster") == cluster_name}
    return [ServerGroup(name=g.name, id=g.id) for g in snapshot.get("serverGroups")
            if g.member_ids and set(g.member_ids) <= ours]
