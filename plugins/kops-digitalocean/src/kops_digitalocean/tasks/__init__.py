"""The DigitalOcean tasks, one resource type per module. Each module also registers, with
:data:`kops_digitalocean.discovery.DISCOVERY`, its kind's lister and deletion factory.

Every task finds itself in the run's listing of its kind (by ID once known, else by name) and is written through
the run's :class:`kops_digitalocean.api.DigitalOcean` (``ctx.cloud``). None has a Terraform form: the driver
refuses ``--target terraform`` before anything is written (see the plugin's README).
"""

from __future__ import annotations

from typing import Any, ClassVar

from kops.engine import Context, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError


class DOTask(Task):
    #: The API's collection (``vpcs``), which is also the kind of its listing in the run's snapshot.
    api_kind: ClassVar[str] = ""

    def listed(self, ctx: Context) -> dict[str, Any] | None:
        """This resource as the run's listing has it, or None."""
        if self.cloud_id:
            return ctx.snapshot.first(self.api_kind, lambda r: str(r["id"]) == str(self.cloud_id))
        return ctx.snapshot.first(self.api_kind, lambda r: r["name"] == self.name)

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete(f"{self.api_kind}/{self.cloud_id}")

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        raise KopsError("kops writes no Terraform for DigitalOcean yet: use kops update cluster --yes")


def tag_resources(ctx: Context, tag_name: str, kind: str, ids: list[Any], untag: bool = False) -> None:
    """Put the tag on (or take it off) the resources of ``kind`` (``droplet``, ``volume``) with ``ids``; the tag
    is made first, which the API does idempotently."""
    if not ids:
        return
    resources = [{"resource_id": str(i), "resource_type": kind} for i in ids]
    if untag:
        ctx.cloud.delete(f"tags/{tag_name}/resources", {"resources": resources})
        return
    ctx.cloud.post("tags", {"name": tag_name})
    ctx.cloud.post(f"tags/{tag_name}/resources", {"resources": resources})
