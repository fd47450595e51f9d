"""The ``digitalocean`` cloud driver: regions, sizes and defaults, answered offline.

On DigitalOcean a cluster lives in one region, and a region is also its only zone: ``--zones nyc1``.
"""

from __future__ import annotations

import re

from kops.cloud import CloudProvider
from kops.errors import KopsError

#: A region slug: three letters and a number (nyc1, ams3, sfo3, blr1). DigitalOcean opens new regions, so only
#: the shape is checked; the API answers whether one exists.
REGION = re.compile(r"^[a-z]{3}[0-9]+$")
#: A Droplet size slug (s-2vcpu-4gb, s-2vcpu-4gb-amd, c2-16vcpu-32gb, so1_5-2vcpu-16gb).
SIZE = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)*$")
#: The tags upstream kOps marks a cluster's Droplets and volumes with (a user's label may not become one).
OWNERSHIP_TAGS = ("KubernetesCluster", "KubernetesCluster-Master", "k8s-index", "kops-instancegroup",
                  "kops-instance-role")
#: The prefix of the tag naming an etcd volume's cluster (``etcdCluster-main``).
ETCD_TAG_PREFIX = "etcdCluster-"


def region_of(zone: str) -> str | None:
    """The region slug a zone names (slugs are lowercase; upstream's own example writes ``NYC1``), or None."""
    slug = zone.strip().lower()
    return slug if REGION.match(slug) else None


class DigitalOceanCloud(CloudProvider):
    name = "digitalocean"
    channel_provider_id = "digitalocean"
    # Upstream's fixed sizes (it asks no API for them); it has none for bastions, and neither does kops here.
    default_machine_types = {
        "ControlPlane": ["s-2vcpu-4gb-amd"],
        "Node": ["s-2vcpu-4gb-amd"],
    }
    # The release channels list no DigitalOcean image; upstream then uses Ubuntu 24.04's public image.
    default_image = "ubuntu-24-04-x64"
    # Control-plane groups are numbered even one per region (control-plane-nyc1-1), as upstream names them: the
    # Droplets' etcd index tags (etcd-1, etcd-2...) follow the same numbers.
    numbered_control_plane_groups = True

    state_store_schemes = ("do",)
    dns_controller_provider = "digitalocean"
    ownership_label_keys = OWNERSHIP_TAGS
    ownership_label_prefixes = (ETCD_TAG_PREFIX,)

    def region_for_zone(self, zone: str) -> str:
        region = region_of(zone)
        if region is None:
            raise KopsError(f"invalid DigitalOcean region {zone!r}: a zone is a region, such as nyc1")
        return region

    def machine_type_problem(self, machine_type: str) -> str | None:
        if SIZE.match(machine_type):
            return None
        return f"{machine_type!r} is not a DigitalOcean Droplet size slug, such as s-2vcpu-4gb"
