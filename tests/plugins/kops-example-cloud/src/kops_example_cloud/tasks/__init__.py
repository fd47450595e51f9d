"""The example cloud's tasks, one resource type per module. Each module also registers, with
:data:`kops_example_cloud.discovery.DISCOVERY`, its kind's lister and deletion factory.

Every task here finds itself in the run's listing of its kind (by ID once known, else by name), is written through
the API (``ctx.cloud``, an :class:`kops_example_cloud.api.ExampleAPI`), and has no Terraform form.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kops.engine import Context, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_example_cloud.api import ApiError


class ExampleTask(Task):
    #: The API's name of the kind (``networks``), which is also its listing's kind in the run's snapshot.
    api_kind: ClassVar[str] = ""

    def listed(self, ctx: Context) -> dict[str, Any] | None:
        """This resource as the run's listing has it, or None."""
        if self.cloud_id:
            return ctx.snapshot.first(self.api_kind, lambda r: r["id"] == self.cloud_id)
        return ctx.snapshot.first(self.api_kind, lambda r: r["name"] == self.name)

    def delete_direct(self, ctx: Context) -> None:
        try:
            ctx.cloud.delete(self.api_kind, self.cloud_id)
        except ApiError as exc:
            if exc.status != 404:  # already gone: what deleting wanted
                raise

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        raise KopsError("the example cloud has no Terraform provider: use kops update cluster --yes")
