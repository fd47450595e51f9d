"""The admin SSH key and a :class:`~kops_digitalocean.tasks.droplet_group.DropletGroup` per instance group, as
upstream's ``DropletBuilder``: ``minSize`` Droplets of the group's size and image in the cluster's region and VPC,
tagged for the cluster, the group and its role (control-plane groups numbered ``k8s-index:etcd-N`` in order), with
the user data core wrote for the group."""

from __future__ import annotations

from typing import Any

from kops.model import CONTROL_PLANE, ModelContext, role_of

from kops_digitalocean.model.etcd import store_tags
from kops_digitalocean.model.network import vpc_of
from kops_digitalocean.tags import INDEX, INSTANCE_GROUP, ROLE, cluster_tag, droplet_name, role_tag, tag
from kops_digitalocean.tasks.droplet_group import DropletGroup
from kops_digitalocean.tasks.ssh_key import SSHKey


def colon_fingerprint(hex_digest: str) -> str:
    return ":".join(hex_digest[i:i + 2] for i in range(0, len(hex_digest), 2))


class DropletsBuilder:
    def build(self, model: ModelContext) -> list[Any]:
        tasks: list[Any] = []
        ssh_key = None
        if model.ssh_public_keys:
            fingerprint, public_key = sorted(model.ssh_public_keys.items())[0]
            fingerprint = colon_fingerprint(fingerprint) if ":" not in fingerprint else fingerprint
            ssh_key = SSHKey(name=f"kubernetes.{model.cluster_name}-{fingerprint}", public_key=public_key,
                             fingerprint=fingerprint)
            tasks.append(ssh_key)
        vpc = vpc_of(model)
        index = 0
        for group in model.instance_groups:
            role = role_of(group)
            name = group.metadata.name
            tags = [cluster_tag(model.cluster_name)]
            if role == CONTROL_PLANE:
                index += 1
                tags.append(tag(INDEX, f"etcd-{index}"))
            tags += [role_tag(model.cluster_name, role), tag(INSTANCE_GROUP, name), tag(ROLE, role),
                     *store_tags(model)]
            tasks.append(DropletGroup(
                name=droplet_name(name, role, model.cluster_name), group=name,
                count=group.spec.minSize if group.spec.minSize is not None else 1, region=model.region,
                size=group.spec.machineType, image=group.spec.image, vpc=vpc, ssh_key=ssh_key, tags=sorted(tags),
                user_data=model.user_data.get(name, "")))
        return tasks
