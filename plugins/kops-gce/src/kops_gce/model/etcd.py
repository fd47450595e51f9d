"""A persistent disk per etcd member, in the zone of the member's control-plane group, labelled as upstream labels
it so etcd-manager (``--volume-provider=gce``, :meth:`kops_gce.cloud.GCECloud.etcd_volumes`) finds and mounts it:
the cluster's label, ``k8s-io-role-master=master`` and ``k8s-io-etcd-<etcd cluster>`` holding the member's name
(``<member>/<member>``, encoded as :func:`encode_label` does).
"""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError
from kops.model import ModelContext

from kops_gce.labels import ETCD_LABEL_PREFIX, ROLE_LABEL_PREFIX, resource_labels
from kops_gce.names import suffixed
from kops_gce.tasks.disk import Disk

#: An etcd member's disk size (GB) and type when the spec names none, as upstream.
ETCD_VOLUME_SIZE = 20
ETCD_VOLUME_TYPE = "pd-ssd"
#: The role label etcd-manager looks for (upstream's word, as a label cannot start with a digit).
ROLE_LABEL = ROLE_LABEL_PREFIX + "master"

_HEX = "0123456789abcdef"


def encode_label(value: str) -> str:
    """A string as a GCE label value, as upstream encodes it: lowercase letters and digits stay, every other byte
    becomes ``-`` and its two hex digits (``a/a`` -> ``a-2fa``)."""
    out = []
    for byte in value.encode():
        char = chr(byte)
        out.append(char if char.isdigit() or "a" <= char <= "z" else f"-{_HEX[byte >> 4]}{_HEX[byte & 15]}")
    return "".join(out)


def disk_name(member: str, etcd: str, cluster_name: str) -> str:
    """``<member>-etcd-<etcd>-<cluster>``, shortened with a hash to 63 characters; a name that would start with a
    digit or ``-`` starts with ``d``."""
    prefix = f"{member}.etcd-{etcd}".replace(".", "-")
    if prefix[:1] in "0123456789-":
        prefix = "d" + prefix
    return suffixed(prefix, cluster_name)


def group_zones(model: ModelContext, group: Any) -> list[str]:
    """The zones a group's machines are in: its own ``zones``, else those of its subnets."""
    if group.spec.zones:
        return sorted(set(group.spec.zones))
    zones = {s.name: s.zone for s in model.subnets}
    return sorted({zones[s] for s in group.spec.subnets or [] if zones.get(s)})


class EtcdDisksBuilder:
    def build(self, model: ModelContext) -> list[Disk]:
        groups = {g.metadata.name: g for g in model.instance_groups}
        disks = []
        for etcd in model.cluster.spec.etcdClusters or []:
            for member in etcd.etcdMembers or []:
                where = f"spec.etcdClusters[{etcd.name}].etcdMembers[{member.name}].instanceGroup"
                group = groups.get(member.instanceGroup or "")
                if group is None:
                    raise KopsError(f"{where}: no instance group {member.instanceGroup!r}")
                zones = group_zones(model, group)
                if len(zones) != 1:
                    raise KopsError(f"{where}: instance group {group.metadata.name} must be in exactly one zone, "
                                    f"not {len(zones)}")
                labels = resource_labels(model, {ROLE_LABEL: "master",
                                                 ETCD_LABEL_PREFIX + str(etcd.name): encode_label(
                                                     f"{member.name}/{member.name}")})
                disks.append(Disk(name=disk_name(str(member.name), str(etcd.name), model.cluster_name),
                                  zone=zones[0], size_gb=member.volumeSize or ETCD_VOLUME_SIZE,
                                  volume_type=member.volumeType or ETCD_VOLUME_TYPE,
                                  provisioned_iops=member.volumeIops or None,
                                  provisioned_throughput=member.volumeThroughput or None, labels=labels))
        return disks


BUILDERS = [EtcdDisksBuilder()]
