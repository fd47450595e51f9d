"""TargetPool: the machines behind the public API load balancer's forwarding rule.

The pool lists no machines itself: the control plane's managed instance groups name it (their ``targetPools``),
and GCE adds each machine they launch and removes each one they delete, so a rolling update needs no step here.
Its HTTP health check keeps clients off machines whose API server does not answer. The type takes no labels: its
``description`` names the cluster that owns it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly, last
from kops_gce.tasks.http_health_check import HttpHealthCheck


class TargetPool(GCETask):
    #: The HttpHealthCheck task (or its URL) that decides which machines get traffic.
    health_check: Any = None
    #: Whose it is (:func:`kops_gce.labels.owner_description`); written once, never compared.
    description: str | None = None
    self_link: str | None = None

    api_kind = "targetPools"
    scope = "region"
    ignored_fields = {"description"}
    terraform_type = "google_compute_target_pool"
    terraform_id_attr = "self_link"

    def find(self, ctx: Context) -> TargetPool | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        checks = raw.get("health_checks") or []
        return TargetPool(name=self.name, lifecycle=self.lifecycle, health_check=checks[0] if checks else None,
                          description=raw.get("description"), self_link=raw["self_link"])

    def render_direct(self, ctx: Context, actual: TargetPool | None, changes: Changes) -> None:
        from google.cloud import compute_v1

        client = ctx.cloud.compute("TargetPools")
        check = _link(self.health_check)
        if actual is None:
            body = compute_v1.TargetPool(name=self.name, health_checks=[check] if check else [])
            if self.description:
                body.description = self.description
            insert_quietly(ctx, lambda: client.insert(**self.where(ctx), target_pool_resource=body))
            self.self_link = client.get(**self.where(ctx), target_pool=self.name).self_link
            return
        if "health_check" in changes:
            old = _link(actual.health_check)
            if old:
                ctx.cloud.wait(client.remove_health_check(
                    **self.where(ctx), target_pool=self.name,
                    target_pools_remove_health_check_request_resource=compute_v1.TargetPoolsRemoveHealthCheckRequest(
                        health_checks=[compute_v1.HealthCheckReference(health_check=old)])))
            if check:
                ctx.cloud.wait(client.add_health_check(
                    **self.where(ctx), target_pool=self.name,
                    target_pools_add_health_check_request_resource=compute_v1.TargetPoolsAddHealthCheckRequest(
                        health_checks=[compute_v1.HealthCheckReference(health_check=check)])))

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("TargetPools").delete(**self.where(ctx),
                                                                             target_pool=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner description."""
        check = self.health_check
        tf.add_resource("google_compute_target_pool", self.name, {
            "name": self.name,
            "health_checks": [check.terraform_ref("self_link") if isinstance(check, Task) else check]
            if check is not None else None,
        })


def _link(value: Any) -> str | None:
    return getattr(value, "self_link", value) or None


@DISCOVERY.register("targetPools")
def list_target_pools(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.list("TargetPools", {"region": api.region})


@DISCOVERY.register_deletions("targetPools")
def delete_target_pools(snapshot: Snapshot, cluster_name: str) -> list[TargetPool]:
    """A pool goes before its health check."""
    return [TargetPool(name=r["name"], self_link=r["self_link"],
                       health_check=[HttpHealthCheck(name=last(c), self_link=c) for c in r.get("health_checks") or []])
            for r in owned_in(snapshot, "targetPools", cluster_name)]
