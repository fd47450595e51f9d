"""A Cinder volume per etcd member, in its control-plane group's zone (or ``blockStorage.override-volume-az``),
with the metadata etcd-manager mounts it by (:meth:`kops_openstack.cloud.OpenstackCloud.etcd_volumes`)."""

from __future__ import annotations

from typing import Any

from kops.errors import KopsError

from kops_openstack.labels import metadata
from kops_openstack.model import openstack_spec
from kops_openstack.tasks.volume import Volume

#: An etcd member's volume size (GiB) when the spec names none, as upstream.
DEFAULT_SIZE = 20
ETCD_PREFIX = "k8s.io/etcd/"
ROLE_PREFIX = "k8s.io/role/"


class EtcdVolumeBuilder:
    def build(self, model: Any) -> list[Volume]:
        groups = {g.metadata.name: g for g in model.instance_groups}
        zones = {s.name: s.zone for s in model.subnets}
        storage = openstack_spec(model).blockStorage
        override = storage.override_volume_az if storage else None
        volumes = []
        for etcd in model.cluster.spec.etcdClusters or []:
            members = etcd.etcdMembers or []
            everyone = ",".join(m.name for m in members)
            for member in members:
                group = groups.get(member.instanceGroup or "")
                member_zones = sorted({zones[s] for s in (group.spec.subnets if group else None) or [] if s in zones})
                if not override and len(member_zones) != 1:
                    raise KopsError(f"Cluster/{model.cluster_name}: spec.etcdClusters[{etcd.name}].etcdMembers"
                                    f"[{member.name}]: its instance group {member.instanceGroup!r} must be one group "
                                    "in exactly one zone")
                md = metadata(model, {f"{ETCD_PREFIX}{etcd.name}": f"{member.name}/{everyone}",
                                      f"{ROLE_PREFIX}control-plane": "1", f"{ROLE_PREFIX}master": "1"})
                volumes.append(Volume(name=f"{member.name}.etcd-{etcd.name}.{model.cluster_name}",
                                      zone=override or member_zones[0], size_gb=member.volumeSize or DEFAULT_SIZE,
                                      volume_type=member.volumeType, metadata=md))
        return volumes


BUILDERS = [EtcdVolumeBuilder()]
