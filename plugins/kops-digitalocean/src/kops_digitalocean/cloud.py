"""The ``digitalocean`` cloud driver: regions, sizes and defaults, answered offline.

On DigitalOcean a cluster lives in one region, and a region is also its only zone: ``--zones nyc1``.
"""

from __future__ import annotations

import re
from typing import Any

from kops.cloud import CloudProvider, EtcdVolumes
from kops.errors import KopsError

from kops_digitalocean.tags import CLUSTER, ETCD_PREFIX, INDEX, OWNERSHIP_KEYS, safe_name

#: A region slug: three letters and a number (nyc1, ams3, sfo3, blr1). DigitalOcean opens new regions, so only
#: the shape is checked; the API answers whether one exists.
REGION = re.compile(r"^[a-z]{3}[0-9]+$")
#: A Droplet size slug (s-2vcpu-4gb, s-2vcpu-4gb-amd, c2-16vcpu-32gb, so1_5-2vcpu-16gb).
SIZE = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)*$")


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
    ownership_label_keys = OWNERSHIP_KEYS
    ownership_label_prefixes = (ETCD_PREFIX,)
    # No managed groups: kops makes a group's missing Droplets itself, so a rolling update applies the cluster
    # after each wave, as upstream does.
    replaces_instances = False
    # Upstream writes DigitalOcean Terraform; kops does not yet, and says so before anything is written.
    writes_terraform = False

    def region_for_zone(self, zone: str) -> str:
        region = region_of(zone)
        if region is None:
            raise KopsError(f"invalid DigitalOcean region {zone!r}: a zone is a region, such as nyc1")
        return region

    def machine_type_problem(self, machine_type: str) -> str | None:
        if SIZE.match(machine_type):
            return None
        return f"{machine_type!r} is not a DigitalOcean Droplet size slug, such as s-2vcpu-4gb"

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes:
        """etcd-manager finds a member's volume by the tags upstream gives it (:mod:`kops_digitalocean.model.etcd`)."""
        return EtcdVolumes([
            "--volume-provider=do",
            f"--volume-tag={CLUSTER}={safe_name(cluster.metadata.name)}",
            f"--volume-tag={INDEX}",
            f"--volume-name-tag={ETCD_PREFIX}{etcd_name}",
        ])

    # --- the engine's side: a run's context, what the cluster owns ---------------------------------------

    def engine_context(self, model: Any) -> Any:
        """A run's context: the region's API (its token and region checked first, so a refused token or an unknown
        region stops the run before anything is made), a snapshot listing each kind at most once, the API's
        errors."""
        from kops.engine import Context

        from kops_digitalocean.api import ERRORS, DigitalOcean
        from kops_digitalocean.discovery import DISCOVERY

        api = DigitalOcean(self.region(model.cluster))
        if model.target == "terraform":
            return Context(model.cluster_name, cloud=api)
        api.check_region()
        return Context(model.cluster_name, cloud=api, snapshot=DISCOVERY.snapshot(api, model.cluster_name),
                       errors=ERRORS)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        from kops_digitalocean.discovery import DISCOVERY

        return DISCOVERY.deletion_tasks(ctx.snapshot, model.cluster_name)

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        from kops_digitalocean.discovery import store_ids

        return store_ids(ctx.snapshot, model.cluster_name)

    def api_endpoint(self, cluster: Any) -> str | None:
        """The API load balancer's public address, once it has one; None without a load balancer."""
        if cluster.spec.api is None or cluster.spec.api.loadBalancer is None:
            return None
        from kops_digitalocean.api import DigitalOcean
        from kops_digitalocean.tasks.load_balancer import list_load_balancers

        found = list_load_balancers(DigitalOcean(self.region(cluster)), cluster.metadata.name)
        return (found[0].get("ip") or None) if found else None

    def api_address_tasks(self, model: Any) -> list[Any]:
        """The API's load balancer, which an apply makes first where the API server's certificate must name its
        address."""
        from kops_digitalocean.tags import load_balancer_name

        balancer = model.find("LoadBalancer", load_balancer_name(model.cluster_name))
        return [balancer] if balancer is not None else []

    # --- a running cluster: each group's Droplets (see kops_digitalocean.cloudgroups) -----------------------

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None) -> list[Any]:
        from kops_digitalocean import cloudgroups
        from kops_digitalocean.api import DigitalOcean

        return cloudgroups.cloud_groups(DigitalOcean(self.region(cluster)), cluster, instance_groups)

    def delete_instance(self, instance: Any) -> None:
        from kops_digitalocean import cloudgroups

        cloudgroups.delete_instance(instance)

    def detach_instance(self, instance: Any) -> None:
        from kops_digitalocean import cloudgroups

        cloudgroups.detach_instance(instance)

    # --- nodes joining: a machine key in a Droplet tag, checked against the DO API -----------------------

    def node_identity_proof(self, body: bytes) -> str:
        from kops_digitalocean import identity

        return identity.proof(body)

    def verify_node_identity(self, cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str,
                             body: bytes, instance_group: str) -> Any:
        from kops_digitalocean import identity

        return identity.verify(cluster, groups, authorization, body, instance_group)

    def identify_node(self, cluster: dict[str, Any], provider_id: str) -> Any:
        from kops_digitalocean import identity

        return identity.identify(cluster, provider_id)
