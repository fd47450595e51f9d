"""etcd's volumes: one per member of each etcd cluster, in the zone of the member's control-plane group.

etcd-manager on a control-plane instance finds its volume by tags: ``k8s.io/etcd/<cluster>`` (this
member and all members, ``a/a,b,c``) and the control-plane role. Defaults are upstream's: 20 GiB gp3
with 3000 IOPS and 125 MiB/s. Volumes are encrypted unless the member explicitly says
``encryptedVolume: false``: etcd holds every secret of the cluster, so encryption at rest is the default
(with the account's default EBS key unless the member names one).
"""

from __future__ import annotations

from typing import Any

from kops.engine import Task
from kops.errors import KopsError

from kops_aws.tasks.ebs_volume import EBSVolume

SIZE = 20
VOLUME_TYPE = "gp3"
GP3_IOPS, GP3_THROUGHPUT, IO_IOPS = 3000, 125, 100


class EtcdVolumeBuilder:
    def build(self, aws: Any) -> list[Task]:
        groups = {g.metadata.name: g for g in aws.model.instance_groups}
        subnets = {s.name: s for s in aws.subnets}
        tasks: list[Task] = []
        for etcd in aws.spec.etcdClusters or []:
            members = etcd.etcdMembers or []
            everyone = ",".join(sorted(m.name for m in members))
            for member in members:
                where = f"Cluster/{aws.cluster_name}: spec.etcdClusters[{etcd.name}].etcdMembers[{member.name}]"
                group = groups.get(member.instanceGroup or "")
                if group is None:
                    raise KopsError(f"{where}.instanceGroup: no instance group named {member.instanceGroup!r}")
                member_zones = sorted({aws.zone_of(subnets[s], f"etcd member {member.name}'s volume is made in it")
                                       for s in group.spec.subnets or [] if s in subnets})
                if len(member_zones) != 1:
                    raise KopsError(f"{where}: instance group {group.metadata.name!r} must be in exactly one zone "
                                    f"(it is in {len(member_zones)})")
                tasks.append(self._volume(aws, etcd.name, member, everyone, member_zones[0]))
        return tasks

    @staticmethod
    def _volume(aws: Any, etcd_name: str, member: Any, everyone: str, zone: str) -> EBSVolume:
        name = f"{member.name}.etcd-{etcd_name}.{aws.cluster_name}"
        volume_type = member.volumeType or VOLUME_TYPE
        iops = throughput = None
        if volume_type == "gp3":
            iops, throughput = max(member.volumeIops or 0, GP3_IOPS), max(member.volumeThroughput or 0, GP3_THROUGHPUT)
        elif volume_type in ("io1", "io2"):
            iops = max(member.volumeIops or 0, IO_IOPS)
        tags = aws.tags(name)
        tags.update({
            f"k8s.io/etcd/{etcd_name}": f"{member.name}/{everyone}",
            "k8s.io/role/control-plane": "1",
            "k8s.io/role/master": "1",
        })
        return EBSVolume(name=name, zone=zone, size=member.volumeSize or SIZE, volume_type=volume_type, iops=iops,
                         throughput=throughput, encrypted=member.encryptedVolume is not False, kms_key=member.kmsKeyId,
                         tags=tags)


BUILDER = EtcdVolumeBuilder()
