"""The ``openstack`` cloud driver: zones, regions and defaults, answered offline."""

from __future__ import annotations

import os
import re

from kops.cloud import CloudProvider
from kops.errors import KopsError

# Availability zones are named by the operator (nova, zone-1, az1.dc2); only characters that cannot be part of
# a name (blanks, commas, slashes) are refused.
ZONE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


class OpenstackCloud(CloudProvider):
    name = "openstack"
    channel_provider_id = "openstack"
    # Upstream takes the smallest flavor the cloud offers with enough memory and CPUs: 4 GiB for the control
    # plane, 4 GiB and 2 vCPUs for nodes, 1 GiB for bastions. Offline, that is what OpenStack's stock flavors
    # give; --node-size and --control-plane-size name the cloud's own.
    default_machine_types = {
        "ControlPlane": ["m1.medium"],
        "Node": ["m1.medium"],
        "Bastion": ["m1.small"],
    }
    # Subnets live in one zone each and kops carves their CIDRs out of --network-cidr, as on AWS.
    assigns_subnet_cidrs = True
    state_store_schemes = ("swift",)
    dns_controller_provider = "openstack-designate"
    # Whether the API is reached through a load balancer or DNS follows the cloud's load balancer service, which
    # the plugin's own rules decide.
    infers_api_access = False

    def region_for_zone(self, zone: str) -> str:
        """OpenStack zones do not name their region: it is the one the credentials choose (``OS_REGION_NAME``)."""
        if not ZONE.match(zone):
            raise KopsError(f"invalid OpenStack zone {zone!r}: expected an availability zone name such as nova")
        return os.environ.get("OS_REGION_NAME", "")
