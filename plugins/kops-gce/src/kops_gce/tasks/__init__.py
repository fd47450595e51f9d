"""The GCE tasks, one resource type per module. Each module also registers, with
:data:`kops_gce.discovery.DISCOVERY`, its kind's lister and deletion factory.

A task is named by its GCE name (also its Terraform name) and identified by its ``self_link``, which other
resources use to refer to it: a reference found in the cloud is that URL, and a task whose ``self_link`` is known
matches it (see :meth:`kops.engine.Task.cloud_id`). Every task finds itself in the run's listing of its kind,
is written through the run's :class:`kops_gce.api.GCE` (``ctx.cloud``), and renders its upstream Terraform
resource.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kops.engine import Context, Task

from kops_gce.api import not_found, status


class GCETask(Task):
    #: The Compute collection (``networks``), which is also the kind of its listing in the run's snapshot.
    api_kind: ClassVar[str] = ""
    #: Where it lives: ``global``, ``region`` or ``zone`` (then the task has a ``zone`` field).
    scope: ClassVar[str] = "global"

    id_field = "self_link"
    output_fields = {"self_link"}

    def listed(self, ctx: Context) -> dict[str, Any] | None:
        """This resource as the run's listing has it (by name, and zone for a zonal one), or None."""
        zone = getattr(self, "zone", None) if self.scope == "zone" else None
        return ctx.snapshot.first(self.api_kind, lambda r: r["name"] == self.name and (
            zone is None or str(r.get("zone", "")).rsplit("/", 1)[-1] == zone))

    def where(self, ctx: Context) -> dict[str, str]:
        """The request's scope: the project, and the region or zone."""
        scope = {"project": ctx.cloud.project}
        if self.scope == "region":
            scope["region"] = ctx.cloud.region
        elif self.scope == "zone":
            scope["zone"] = self.zone  # type: ignore[attr-defined]
        return scope


def delete_quietly(ctx: Context, call: Any) -> None:
    """Run a delete call and wait for it; a resource already gone is what deleting wanted."""
    try:
        ctx.cloud.wait(call())
    except Exception as exc:  # noqa: BLE001 - only Google's 404 is swallowed
        if not not_found(exc):
            raise


def insert_quietly(ctx: Context, call: Any) -> None:
    """Run an insert call and wait for it; "already exists" means an earlier try of this run made it (its answer
    was lost, and the run's listing predates it), so it is what inserting wanted."""
    try:
        ctx.cloud.wait(call())
    except Exception as exc:  # noqa: BLE001 - only Google's 409 is swallowed
        if status(exc) != 409:
            raise


def last(link: Any) -> str:
    """The last part of a resource URL (its name or zone); "" for none."""
    return str(link or "").rstrip("/").rsplit("/", 1)[-1]
