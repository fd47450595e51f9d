"""Disk: a zonal persistent disk holding one etcd member's data. etcd-manager on a control-plane machine of the
disk's zone finds it by its labels (``k8s-io-etcd-<cluster>``, ``k8s-io-role-master``, the cluster's) and
attaches it; kops itself never attaches it to anything.

Its zone, type, size and provisioned performance never change: it holds etcd's data, so a difference is an
error rather than a new disk. Labels are only ever added (others' labels on it are kept). A disk still attached
to a machine cannot be deleted; GCE says so with a 400 ``resourceInUseByAnotherResource``, which the run retries
until the machine (deleted with its group) is gone.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_gce.api import as_dict, status
from kops_gce.discovery import DISCOVERY, label_filter, owned_in
from kops_gce.labels import owned
from kops_gce.tasks import GCETask, delete_quietly, last


class Disk(GCETask):
    zone: str | None = None
    size_gb: int | None = None
    #: ``pd-ssd``, ``pd-balanced``, ``hyperdisk-balanced``...
    volume_type: str | None = None
    provisioned_iops: int | None = None
    provisioned_throughput: int | None = None
    labels: dict[str, str] | None = None
    self_link: str | None = None

    api_kind = "disks"
    scope = "zone"
    immutable_fields = {"zone", "size_gb", "volume_type", "provisioned_iops", "provisioned_throughput"}
    immutable_advice = ("it holds etcd's data: restore the etcd member's volumeType, volumeSize, volumeIops and "
                        "volumeThroughput, or move etcd to new members by backup and restore")
    terraform_type = "google_compute_disk"
    terraform_id_attr = "self_link"

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field == "labels":  # labels others put on the disk stay; only kops's must be there
            return all((actual or {}).get(k) == v for k, v in desired.items())
        return super().field_equal(field, desired, actual)

    def find(self, ctx: Context) -> Disk | None:
        raw = self.listed(ctx)
        if raw is None:
            return None

        def number(key: str) -> int | None:
            value = raw.get(key)
            return int(value) if value not in (None, "", "0", 0) else None

        return Disk(name=self.name, lifecycle=self.lifecycle, zone=last(raw.get("zone")),
                    size_gb=int(raw.get("size_gb") or 0), volume_type=last(raw.get("type_")),
                    provisioned_iops=number("provisioned_iops") if self.provisioned_iops else None,
                    provisioned_throughput=number("provisioned_throughput") if self.provisioned_throughput else None,
                    labels=dict(raw.get("labels") or {}), self_link=raw.get("self_link"))

    def render_direct(self, ctx: Context, actual: Disk | None, changes: Changes) -> None:
        disks = ctx.cloud.compute("Disks")
        where = self.where(ctx)
        if actual is None:
            body: dict[str, Any] = {"name": self.name, "size_gb": self.size_gb, "labels": self.labels or {},
                                    "type_": f"projects/{ctx.cloud.project}/zones/{self.zone}/diskTypes/"
                                             f"{self.volume_type}"}
            if self.provisioned_iops:
                body["provisioned_iops"] = self.provisioned_iops
            if self.provisioned_throughput:
                body["provisioned_throughput"] = self.provisioned_throughput
            try:
                ctx.cloud.wait(disks.insert(request={**where, "disk_resource": body}))
            except Exception as exc:
                # Made since the run listed the disks: by this run's earlier try whose answer was lost, if it
                # carries the cluster's labels; anyone else's disk of that name is not taken over.
                if status(exc) != 409:
                    raise
                found = as_dict(disks.get(request={**where, "disk": self.name}))
                if not owned(found, ctx.cluster_name):
                    raise KopsError(f"Disk/{self.name}: a disk of that name, not this cluster's, is in zone "
                                    f"{self.zone}") from None
            self.self_link = disks.get(request={**where, "disk": self.name}).self_link
            return
        if "labels" in changes:
            current = disks.get(request={**where, "disk": self.name})
            labels = {**dict(current.labels), **(self.labels or {})}
            ctx.cloud.wait(disks.set_labels(request={**where, "resource": self.name, "zone_set_labels_request_resource": {
                "labels": labels, "label_fingerprint": current.label_fingerprint}}))

    def delete_direct(self, ctx: Context) -> None:
        disks = ctx.cloud.compute("Disks")
        delete_quietly(ctx, lambda: disks.delete(request={**self.where(ctx), "disk": self.name}))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("google_compute_disk", self.name, {
            "labels": self.labels,
            "name": self.name,
            "provisioned_iops": self.provisioned_iops,
            "provisioned_throughput": self.provisioned_throughput,
            "size": self.size_gb,
            "type": self.volume_type,
            "zone": self.zone,
        })


@DISCOVERY.register("disks")
def list_disks(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The disks labelled for the cluster in the region's zones."""
    return api.aggregated("Disks", label_filter(cluster_name))


@DISCOVERY.register_deletions("disks")
def delete_disks(snapshot: Snapshot, cluster_name: str) -> list[Disk]:
    return [Disk(name=r["name"], zone=last(r.get("zone")), self_link=r.get("self_link"))
            for r in owned_in(snapshot, "disks", cluster_name)]
