"""An Elastic IP for a zone's NAT gateway; or the user's (``egress: eipalloc-...`` or ``publicIP``), only read."""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tasks import common


class ElasticIP(Task):
    #: A shared address named by its public IP (a subnet's ``publicIP``) rather than its allocation ID.
    public_ip: str | None = None
    tags: dict[str, str] | None = None
    #: The allocation ID (``eipalloc-...``).
    id: str | None = None

    output_fields = {"id"}
    terraform_type = "aws_eip"

    def find(self, ctx: Context) -> ElasticIP | None:
        if self.lifecycle.shared and self.public_ip and not self.id:
            found = ctx.cloud.ec2.describe_addresses(PublicIps=[self.public_ip])["Addresses"]
            raw = found[0] if found else None
        else:
            raw = common.locate(ctx, self, "elastic_ip", "AllocationId",
                                lambda api, id_: api.ec2.describe_addresses(AllocationIds=[id_])["Addresses"])
        if raw is None:
            return None
        return ElasticIP(name=self.name, lifecycle=self.lifecycle, public_ip=raw.get("PublicIp") if self.public_ip else None,
                         tags=common.matching_tags(raw, self.tags), id=raw["AllocationId"])

    def render_direct(self, ctx: Context, actual: ElasticIP | None, changes: Changes) -> None:
        if actual is not None:
            common.update_tags(ctx, self.id, changes)
            return
        self.id = ctx.cloud.ec2.allocate_address(
            Domain="vpc", TagSpecifications=common.tag_specifications("elastic-ip", self.tags))["AllocationId"]

    def delete_direct(self, ctx: Context) -> None:
        common.delete_quietly(lambda: ctx.cloud.ec2.release_address(AllocationId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_eip", self.name, {"domain": "vpc", "tags": self.tags})

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        if self.id is None and self.public_ip:
            tf.add_data_source("aws_eip", self.name, {"public_ip": self.public_ip})


@register("elastic_ip")
def list_elastic_ips(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    return ec2_tagged(api, cluster_name, "describe_addresses", "Addresses")


@register_deletions("elastic_ip")
def delete_elastic_ips(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [ElasticIP(name=common.deletion_name(r, r["AllocationId"]), id=r["AllocationId"])
            for r in common.owned(snapshot.get("elastic_ip"), cluster_name)]
