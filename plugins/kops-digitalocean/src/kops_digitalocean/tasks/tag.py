"""Tag: the tags named after the cluster (``KubernetesCluster:<safe>``, ``KubernetesCluster-Master:<safe>``,
``KubernetesCluster-Node:<safe>``). The API makes a tag when a resource first carries it and keeps it when none
does any more; ``kops delete cluster`` deletes these last, once nothing of the cluster carries or names them.
Tags shared by clusters (``kops-instance-role:Node``...) are left alone."""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot

from kops_digitalocean.discovery import DISCOVERY
from kops_digitalocean.tags import CLUSTER, CONTROL_PLANE_CLUSTER, NODE_CLUSTER, owned, safe_name, tag
from kops_digitalocean.tasks import DOTask
from kops_digitalocean.tasks.droplet import Droplet
from kops_digitalocean.tasks.firewall import Firewall
from kops_digitalocean.tasks.load_balancer import LoadBalancer
from kops_digitalocean.tasks.volume import Volume


def cluster_tags(cluster_name: str) -> set[str]:
    return {tag(key, safe_name(cluster_name)) for key in (CLUSTER, CONTROL_PLANE_CLUSTER, NODE_CLUSTER)}


class Tag(DOTask):
    #: What carries or names it (placeholders), deleted first.
    users: list[Any] | None = None

    api_kind = "tags"
    id_field = ""

    def find(self, ctx: Context) -> Tag | None:
        raw = ctx.snapshot.first("tags", lambda t: t["name"] == self.name)
        return None if raw is None else Tag(name=self.name, lifecycle=self.lifecycle)

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete(f"tags/{self.name}")


@DISCOVERY.register("tags")
def list_tags(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    mine = cluster_tags(cluster_name)
    return [t for t in api.get("tags")["tags"] if t["name"] in mine]


@DISCOVERY.register_deletions("tags")
def delete_tags(snapshot: Snapshot, cluster_name: str) -> list[Tag]:
    users: list[Any] = [Droplet(name=str(d["id"]), id=d["id"]) for d in snapshot.get("droplets")
                        if owned(d, cluster_name)]
    users += [Volume(name=v["id"], id=v["id"]) for v in snapshot.get("volumes") if owned(v, cluster_name)]
    users += [LoadBalancer(name=lb["id"], id=lb["id"]) for lb in snapshot.get("load_balancers")]
    users += [Firewall(name=f["id"], id=f["id"]) for f in snapshot.get("firewalls")]
    return [Tag(name=t["name"], users=list(users)) for t in snapshot.get("tags")]
