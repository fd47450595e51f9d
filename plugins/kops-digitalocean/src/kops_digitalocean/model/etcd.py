"""A block-storage volume per etcd member, in the cluster's region, named and tagged as upstream's
``MasterVolumeBuilder`` does for DigitalOcean (see :mod:`kops_digitalocean.tags`), plus the state store's ID."""

from __future__ import annotations

from kops.model import ModelContext

from kops_digitalocean.tags import CLUSTER, ETCD_PREFIX, INDEX, STORE, safe_name, tag, volume_name
from kops_digitalocean.tasks.volume import Volume

#: An etcd member's volume size (GiB) when the spec names none, as upstream's.
DEFAULT_VOLUME_SIZE = 20


def store_tags(model: ModelContext) -> list[str]:
    return [tag(STORE, model.store_id)] if model.store_id else []


class EtcdVolumesBuilder:
    def build(self, model: ModelContext) -> list[Volume]:
        volumes = []
        for etcd in model.cluster.spec.etcdClusters or []:
            for member in etcd.etcdMembers or []:
                member_name = safe_name(member.name)
                tags = [tag(ETCD_PREFIX + etcd.name, member_name), tag(INDEX, member_name),
                        tag(CLUSTER, safe_name(model.cluster_name)), *store_tags(model)]
                volumes.append(Volume(name=volume_name(member.name, etcd.name, model.cluster_name),
                                      region=model.region, size_gb=member.volumeSize or DEFAULT_VOLUME_SIZE,
                                      tags=sorted(tags)))
        return volumes
