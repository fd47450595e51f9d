"""A running cluster on DigitalOcean, for ``kops get instances``, rolling updates and ``kops delete instance``: each
instance group's Droplets (found by the cluster's tag and the group's ``kops-instancegroup`` tag, as upstream finds
them).

A Droplet is up to date when the configuration it was made from (its ``kops-config`` tag) is its group's current one
(``kops-group-config``, which an apply moves to the new configuration: see
:mod:`kops_digitalocean.tasks.droplet_group`). Deleting a Droplet ends it; detaching one tags it ``kops-detached``,
so its group no longer counts it and the next apply (which a rolling update runs after each wave) makes its
replacement, while it keeps running until deleted.
"""

from __future__ import annotations

from typing import Any

from kops.cloud import NEEDS_UPDATE, UP_TO_DATE, CloudInstance, CloudInstanceGroup
from kops.model import role_of

from kops_digitalocean.api import DigitalOcean
from kops_digitalocean.tags import CONFIG, DETACHED, GROUP_CONFIG, INSTANCE_GROUP, cluster_tag, tag, value
from kops_digitalocean.tasks.droplet import end


def provider_id(droplet_id: Any) -> str:
    """A Droplet's Kubernetes ``providerID``, as DigitalOcean's cloud controller manager writes it."""
    return f"digitalocean://{droplet_id}"


def address(droplet: dict[str, Any], kind: str) -> str:
    """The Droplet's ``private`` or ``public`` IPv4 address ("" before it has one)."""
    return next((n["ip_address"] for n in (droplet.get("networks") or {}).get("v4") or [] if n.get("type") == kind), "")


def cloud_groups(api: DigitalOcean, cluster: Any, instance_groups: list[Any]) -> list[CloudInstanceGroup]:
    droplets = api.get("droplets", tag_name=cluster_tag(cluster.metadata.name))["droplets"]
    out = []
    for group in instance_groups:
        name = group.metadata.name
        instances = []
        for droplet in sorted(droplets, key=lambda d: d["id"]):
            if tag(INSTANCE_GROUP, name) not in droplet["tags"]:
                continue
            detached = DETACHED in droplet["tags"]
            fresh = not detached and value(droplet["tags"], CONFIG) == value(droplet["tags"], GROUP_CONFIG)
            instances.append(CloudInstance(
                id=str(droplet["id"]), instance_group=name, role=role_of(group), state=droplet["status"],
                status=UP_TO_DATE if fresh else NEEDS_UPDATE, machine_type=droplet["size_slug"],
                internal_ip=address(droplet, "private"), external_ip=address(droplet, "public"),
                zone=droplet["region"]["slug"], provider_id=provider_id(droplet["id"]), detached=detached,
                handle=api))
        size = group.spec.minSize if group.spec.minSize is not None else 1
        out.append(CloudInstanceGroup(instance_group=group, min_size=size,
                                      max_size=group.spec.maxSize if group.spec.maxSize is not None else size,
                                      target_size=size, instances=instances))
    return out


def delete_instance(instance: CloudInstance) -> None:
    """End the Droplet and its machine key tag; the next apply makes its replacement from the group's current
    configuration."""
    end(instance.handle, instance.handle.get(f"droplets/{instance.id}")["droplet"])


def detach_instance(instance: CloudInstance) -> None:
    """Take the Droplet out of its group (it keeps running); the next apply makes its replacement."""
    api = instance.handle
    api.post("tags", {"name": DETACHED})
    api.post(f"tags/{DETACHED}/resources", {"resources": [{"resource_id": instance.id, "resource_type": "droplet"}]})
