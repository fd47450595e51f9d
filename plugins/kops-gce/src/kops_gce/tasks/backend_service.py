"""BackendService: a regional internal backend service, what an internal passthrough load balancer sends to.

Its backends are the instance groups of the control plane's managed instance groups, one per zone, so a machine
a group launches serves as soon as its health check passes and one it deletes stops at once. The internal
forwarding rules of the API (and of kops-controller, where nodes find it through the load balancer) point here.
The type takes no labels: its ``description`` names the cluster that owns it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly, last
from kops_gce.tasks.health_check import HealthCheck
from kops_gce.tasks.instance_group_manager import InstanceGroupManager

#: How an internal passthrough load balancer spreads connections over its backends.
BALANCING_MODE = "CONNECTION"


def group_url(manager: Any) -> str | None:
    """The URL of the instance group a managed instance group (a task, or its URL) keeps its machines in."""
    url = getattr(manager, "instance_group", None) or getattr(manager, "self_link", manager)
    return str(url).replace("/instanceGroupManagers/", "/instanceGroups/") if url else None


def manager_url(group: str) -> str:
    """The URL of the managed instance group behind an instance group's URL."""
    return group.replace("/instanceGroups/", "/instanceGroupManagers/")


class BackendService(GCETask):
    #: ``TCP``.
    protocol: str | None = None
    #: ``INTERNAL``.
    load_balancing_scheme: str | None = None
    #: The HealthCheck tasks (or URLs) deciding which machines get connections.
    health_checks: list[Any] | None = None
    #: The managed instance groups (InstanceGroupManager tasks, or their URLs) whose machines serve.
    backends: list[Any] | None = None
    #: Whose it is (:func:`kops_gce.labels.owner_description`); written once, never compared.
    description: str | None = None
    fingerprint: str | None = None
    self_link: str | None = None

    api_kind = "regionBackendServices"
    scope = "region"
    immutable_fields = {"load_balancing_scheme"}
    immutable_advice = ("a backend service's scheme cannot change: delete the API's forwarding rules and this "
                        "backend service, and run the update again")
    ignored_fields = {"description"}
    output_fields = {"fingerprint", "self_link"}
    terraform_type = "google_compute_region_backend_service"
    terraform_id_attr = "id"

    def find(self, ctx: Context) -> BackendService | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        return BackendService(
            name=self.name, lifecycle=self.lifecycle, protocol=raw.get("protocol"),
            load_balancing_scheme=raw.get("load_balancing_scheme"), health_checks=list(raw.get("health_checks") or []),
            backends=[manager_url(b["group"]) for b in raw.get("backends") or [] if b.get("group")],
            description=raw.get("description"), fingerprint=raw.get("fingerprint"), self_link=raw["self_link"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field in ("backends", "health_checks"):
            # The API keeps no order that matters: the same groups in another order are the same backends.
            return sorted(_links(desired)) == sorted(_links(actual))
        return super().field_equal(field, desired, actual)

    def _body(self) -> Any:
        from google.cloud import compute_v1

        return compute_v1.BackendService(
            name=self.name, protocol=self.protocol, load_balancing_scheme=self.load_balancing_scheme,
            health_checks=_links(self.health_checks),
            backends=[compute_v1.Backend(group=group_url(m), balancing_mode=BALANCING_MODE)
                      for m in self.backends or []])

    def render_direct(self, ctx: Context, actual: BackendService | None, changes: Changes) -> None:
        client = ctx.cloud.compute("RegionBackendServices")
        body = self._body()
        if actual is not None:
            if self.fingerprint:
                body.fingerprint = self.fingerprint
            ctx.cloud.wait(client.patch(**self.where(ctx), backend_service=self.name, backend_service_resource=body))
            return
        if self.description:
            body.description = self.description
        insert_quietly(ctx, lambda: client.insert(**self.where(ctx), backend_service_resource=body))
        self.self_link = client.get(**self.where(ctx), backend_service=self.name).self_link

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("RegionBackendServices").delete(**self.where(ctx),
                                                                                       backend_service=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner description."""
        tf.add_resource("google_compute_region_backend_service", self.name, {
            "name": self.name,
            "protocol": self.protocol,
            "load_balancing_scheme": self.load_balancing_scheme,
            "health_checks": [c.terraform_ref("id") if isinstance(c, Task) else c for c in self.health_checks or []],
            "backend": [Block(balancing_mode=BALANCING_MODE,
                              group=m.terraform_ref("instance_group") if isinstance(m, Task) else group_url(m))
                        for m in self.backends or []],
        })


def _links(values: Any) -> list[str]:
    return [str(getattr(v, "self_link", None) or v) for v in values or []]


def _manager(url: str) -> InstanceGroupManager:
    """The managed instance group behind a backend, to be deleted after the backend service holding its group."""
    return InstanceGroupManager(name=last(url), zone=last(url.split("/instanceGroupManagers/")[0]), self_link=url)


@DISCOVERY.register("regionBackendServices")
def list_backend_services(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.list("RegionBackendServices", {"region": api.region})


@DISCOVERY.register_deletions("regionBackendServices")
def delete_backend_services(snapshot: Snapshot, cluster_name: str) -> list[BackendService]:
    """A backend service goes before its health checks, and before the managed instance groups whose instance
    groups it holds (GCE refuses to delete those while they serve)."""
    return [BackendService(name=r["name"], self_link=r["self_link"],
                           health_checks=[HealthCheck(name=last(c), self_link=c) for c in r.get("health_checks") or []],
                           backends=[_manager(manager_url(b["group"])) for b in r.get("backends") or [] if b.get("group")])
            for r in owned_in(snapshot, "regionBackendServices", cluster_name)]
