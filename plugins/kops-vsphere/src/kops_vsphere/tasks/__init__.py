"""The vSphere cloud's tasks, one resource type per module; each registers its kind's lister and deletions with
:data:`kops_vsphere.discovery.DISCOVERY`. vSphere has no Terraform target in kops (see the README)."""

from __future__ import annotations

from kops.engine import Context, Task
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError


class VSphereTask(Task):
    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        raise KopsError("cloud vsphere: kops writes no Terraform for vSphere; use kops update cluster --yes")
