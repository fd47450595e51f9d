"""EBSVolume: a volume that outlives instances; etcd's data, which etcd-manager attaches by its tags.

The zone, encryption and key cannot change (a volume with etcd's data is never replaced here); size,
type, IOPS and throughput change in place. Tags others add (etcd-manager marks the volume it uses) are
left alone.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import ec2_tagged, register, register_deletions
from kops_aws.tasks.common import (
    delete_quietly,
    deletion_name,
    locate,
    matching_tags,
    owned,
    tag_specifications,
    update_tags,
)


class EBSVolume(Task):
    zone: str | None = None
    size: int | None = None
    volume_type: str | None = None
    iops: int | None = None
    throughput: int | None = None
    encrypted: bool | None = None
    #: A KMS key; None for the account's default EBS key.
    kms_key: str | None = None
    tags: dict[str, str] | None = None
    id: str | None = None

    immutable_fields = {"zone", "encrypted", "kms_key"}
    immutable_advice = ("a volume's zone and encryption cannot change, and etcd's volumes hold its data: restore "
                        "the etcd member's settings")
    output_fields = {"id"}
    terraform_type = "aws_ebs_volume"

    def find(self, ctx: Context) -> EBSVolume | None:
        raw = locate(ctx, self, "ebs_volume", "VolumeId",
                     lambda api, id_: api.ec2.describe_volumes(VolumeIds=[id_])["Volumes"])
        if raw is None:
            return None
        return EBSVolume(
            name=self.name, lifecycle=self.lifecycle, zone=raw.get("AvailabilityZone"), size=raw.get("Size"),
            volume_type=raw.get("VolumeType"), iops=raw.get("Iops"), throughput=raw.get("Throughput"),
            encrypted=raw.get("Encrypted"), kms_key=raw.get("KmsKeyId") if self.kms_key else None,
            tags=matching_tags(raw, self.tags), id=raw["VolumeId"])

    def render_direct(self, ctx: Context, actual: EBSVolume | None, changes: Changes) -> None:
        ec2 = ctx.cloud.ec2
        if actual is None:
            args: dict[str, Any] = {"AvailabilityZone": self.zone, "Size": self.size, "VolumeType": self.volume_type,
                                    "Encrypted": bool(self.encrypted),
                                    "TagSpecifications": tag_specifications("volume", self.tags)}
            for key, value in (("Iops", self.iops), ("Throughput", self.throughput), ("KmsKeyId", self.kms_key)):
                if value is not None:
                    args[key] = value
            self.id = ec2.create_volume(**args)["VolumeId"]
            return
        modify = {"Size": "size", "VolumeType": "volume_type", "Iops": "iops", "Throughput": "throughput"}
        if any(field in changes for field in modify.values()):
            ec2.modify_volume(VolumeId=self.id, **{k: getattr(self, f) for k, f in modify.items()
                                                   if getattr(self, f) is not None})
        update_tags(ctx, self.id, changes)

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.ec2.delete_volume(VolumeId=self.id))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_ebs_volume", self.name, {
            "availability_zone": self.zone, "size": self.size, "type": self.volume_type, "iops": self.iops,
            "throughput": self.throughput, "encrypted": self.encrypted, "kms_key_id": self.kms_key, "tags": self.tags,
        })


@register("ebs_volume")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Volumes that are not being deleted, or deleted but still listed."""
    return ec2_tagged(api, cluster_name, "describe_volumes", "Volumes",
                      Filters=[{"Name": "status", "Values": ["creating", "available", "in-use"]}])


@register_deletions("ebs_volume")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """The cluster's volumes, except instances' root and data volumes that go away with their instance
    (they carry the cluster's tags too, copied from the launch template)."""
    return [EBSVolume(name=deletion_name(v, v["VolumeId"]), id=v["VolumeId"])
            for v in owned(snapshot.get("ebs_volume"), cluster_name)
            if not any(a.get("DeleteOnTermination") for a in v.get("Attachments") or [])]
