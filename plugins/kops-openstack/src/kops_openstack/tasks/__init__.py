"""The OpenStack tasks, one resource type per module. Each module also registers, with
:data:`kops_openstack.discovery.DISCOVERY`, its kind's lister and deletion factory.

Every task is named as upstream names the resource, finds itself in the run's listing of its kind (by ID once known,
else by name), and is written through the run's openstacksdk connection (``ctx.cloud``). Listed resources are
openstacksdk's own objects. kops writes no Terraform for OpenStack (upstream's fixtures have none):
:attr:`kops_openstack.cloud.OpenstackCloud.writes_terraform` stops ``--target terraform`` before it starts.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kops.engine import Context, Task


class OpenstackTask(Task):
    #: The kind of its listing in the run's snapshot (``networks``).
    kind: ClassVar[str] = ""

    def listed(self, ctx: Context) -> Any | None:
        """This resource as the run's listing has it, or None."""
        if self.cloud_id:
            return ctx.snapshot.first(self.kind, lambda r: r.id == self.cloud_id)
        return ctx.snapshot.first(self.kind, lambda r: r.name == self.name)


def sorted_tags(found: Any) -> list[str]:
    return sorted(found or ())
