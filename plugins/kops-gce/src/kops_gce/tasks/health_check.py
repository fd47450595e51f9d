"""HealthCheck: a regional health check for an internal load balancer's backend service.

The internal API load balancer sends a connection only to control-plane machines that accept TCP on the API's
port (443); kops-controller's own backend service, where API servers run apart from the control plane, checks
its port with SSL. The type takes no labels: its ``description`` names the cluster that owns it.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.engine.hcl import Block
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.discovery import DISCOVERY, owned_in
from kops_gce.tasks import GCETask, delete_quietly, insert_quietly

#: The protocols kops checks with, and the field of a health check holding each one's settings.
PROTOCOLS = {"TCP": "tcp_health_check", "SSL": "ssl_health_check"}


class HealthCheck(GCETask):
    #: ``TCP`` or ``SSL``.
    protocol: str | None = None
    port: int | None = None
    #: Whose it is (:func:`kops_gce.labels.owner_description`); written once, never compared.
    description: str | None = None
    self_link: str | None = None

    api_kind = "regionHealthChecks"
    scope = "region"
    ignored_fields = {"description"}
    terraform_type = "google_compute_region_health_check"
    terraform_id_attr = "id"

    def __post_init__(self) -> None:
        if self.protocol is not None and self.protocol not in PROTOCOLS:
            raise KopsError(f"HealthCheck/{self.name}: protocol {self.protocol!r} is not one of "
                            f"{', '.join(PROTOCOLS)}")

    def find(self, ctx: Context) -> HealthCheck | None:
        raw = self.listed(ctx)
        if raw is None:
            return None
        protocol = raw.get("type_")
        settings = raw.get(PROTOCOLS.get(protocol or "", ""), {}) or {}
        return HealthCheck(name=self.name, lifecycle=self.lifecycle, protocol=protocol,
                           port=settings.get("port"), description=raw.get("description"), self_link=raw["self_link"])

    def _body(self) -> Any:
        from google.cloud import compute_v1

        body = compute_v1.HealthCheck(name=self.name, type_=self.protocol)
        if self.protocol == "SSL":
            body.ssl_health_check = compute_v1.SSLHealthCheck(port=self.port)
        else:
            body.tcp_health_check = compute_v1.TCPHealthCheck(port=self.port)
        return body

    def render_direct(self, ctx: Context, actual: HealthCheck | None, changes: Changes) -> None:
        client = ctx.cloud.compute("RegionHealthChecks")
        body = self._body()
        if actual is not None:
            ctx.cloud.wait(client.patch(**self.where(ctx), health_check=self.name, health_check_resource=body))
            return
        if self.description:
            body.description = self.description
        insert_quietly(ctx, lambda: client.insert(**self.where(ctx), health_check_resource=body))
        self.self_link = client.get(**self.where(ctx), health_check=self.name).self_link

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(ctx, lambda: ctx.cloud.compute("RegionHealthChecks").delete(**self.where(ctx),
                                                                                    health_check=self.name))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        """Upstream's resource; what Terraform makes is Terraform's, so it carries no owner description."""
        tf.add_resource("google_compute_region_health_check", self.name, {
            "name": self.name,
            PROTOCOLS[self.protocol or "TCP"]: Block(port=self.port),
        })


@DISCOVERY.register("regionHealthChecks")
def list_health_checks(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return api.list("RegionHealthChecks", {"region": api.region})


@DISCOVERY.register_deletions("regionHealthChecks")
def delete_health_checks(snapshot: Snapshot, cluster_name: str) -> list[HealthCheck]:
    return [HealthCheck(name=r["name"], self_link=r["self_link"])
            for r in owned_in(snapshot, "regionHealthChecks", cluster_name)]
