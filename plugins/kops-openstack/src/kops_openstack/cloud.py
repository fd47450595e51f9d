"""The ``openstack`` cloud driver: zones, regions and defaults, answered offline."""

from __future__ import annotations

import os
import re
from typing import Any

from kops.cloud import CloudProvider, EtcdVolumes
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

    # kops makes each group's servers itself (there are no autoscaling groups), and writes no Terraform for them.
    replaces_instances = False
    writes_terraform = False

    def label_problems(self, labels: dict[str, str]) -> list[tuple[str, str]]:
        """Beyond the ownership tags core refuses, the metadata keys kops writes on servers and volumes."""
        from kops_openstack.labels import OWN_KEYS, metadata_key

        problems = super().label_problems(labels)
        problems += [(k, f"{k!r} is metadata kops writes on the cluster's servers") for k in labels
                     if metadata_key(k) in OWN_KEYS and not any(p[0] == k for p in problems)]
        return problems

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes:
        """etcd-manager finds a member's Cinder volume by the metadata :mod:`kops_openstack.model.etcd` gives it, as
        upstream's OpenStack volume provider reads it."""
        from kops_openstack.labels import CLUSTER_KEY
        from kops_openstack.model.etcd import ETCD_PREFIX, ROLE_PREFIX

        return EtcdVolumes([
            "--volume-provider=openstack",
            f"--volume-tag={ETCD_PREFIX}{etcd_name}",
            f"--volume-tag={ROLE_PREFIX}control-plane=1",
            f"--volume-tag={CLUSTER_KEY}={cluster.metadata.name}",
            f"--volume-name-tag={ETCD_PREFIX}{etcd_name}",
        ])

    def engine_context(self, model: Any) -> Any:
        """A run's context: the openstacksdk connection (made from the ``OS_*`` environment on first use), a
        snapshot listing each kind at most once, and how the services' errors read."""
        from kops.engine import Context

        from kops_openstack.api import ERRORS, connection
        from kops_openstack.discovery import DISCOVERY

        try:
            conn = connection()
            conn.authorize()  # credentials refused or Keystone unreachable: one line now, not in every task
        except Exception as exc:  # noqa: BLE001 - explained below, or raised as it is
            where = ERRORS.unreachable(exc)
            reason = ERRORS.explain(exc) or (f"cannot reach OpenStack's identity service at {where}" if where else None)
            if reason is None:
                raise
            raise KopsError(reason) from None
        return Context(model.cluster_name, cloud=conn, snapshot=DISCOVERY.snapshot(conn, model.cluster_name),
                       errors=ERRORS)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        """What the listers find the cluster owns, and the empty server groups named for its own instance groups
        (a server group says nothing else of its owner: :mod:`kops_openstack.tasks.server_group`)."""
        from kops.engine.discovery import link_placeholders

        from kops_openstack.discovery import DISCOVERY
        from kops_openstack.model.servers import server_group_name
        from kops_openstack.tasks.server_group import ServerGroup

        tasks = DISCOVERY.deletion_tasks(ctx.snapshot, model.cluster_name)
        taken = {t.cloud_id for t in tasks if isinstance(t, ServerGroup)}
        names = {server_group_name(g, model.cluster_name) for g in model.instance_groups}
        tasks += [ServerGroup(name=g.name, id=g.id) for g in ctx.snapshot.get("serverGroups")
                  if g.name in names and not g.member_ids and g.id not in taken]
        return link_placeholders(tasks)

    def api_endpoint(self, cluster: Any) -> str | None:
        """The API load balancer's floating IP, or its virtual IP where it has none (``Internal``)."""
        addresses = self.api_addresses(cluster)
        return addresses[0] if addresses else None

    def api_addresses(self, cluster: Any) -> list[str]:
        """The API load balancer's floating IP and virtual IP (its port's address), once they exist."""
        from kops_openstack.api import connection
        from kops_openstack.model.api_loadbalancer import api_addresses

        return api_addresses(connection(), cluster)

    def api_address_tasks(self, model: Any) -> list[Any]:
        """The load balancer's virtual IP port and floating IP: their addresses are known before Octavia makes it."""
        from kops_openstack.model.api_loadbalancer import floating_ip_name, vip_port_name
        from kops_openstack.tasks.floating_ip import FloatingIP
        from kops_openstack.tasks.port import Port

        names = {vip_port_name(model.cluster), floating_ip_name(model.cluster)}
        return [t for t in model.tasks if isinstance(t, Port | FloatingIP) and t.name in names]

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        from kops_openstack.discovery import store_ids

        return store_ids(ctx.snapshot, model.cluster_name)

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None) -> list[Any]:
        from kops_openstack import cloudgroups
        from kops_openstack.api import connection

        return cloudgroups.cloud_groups(connection(), cluster, instance_groups)

    def delete_instance(self, instance: Any) -> None:
        from kops_openstack.cloudgroups import delete_instance

        delete_instance(instance)

    def detach_instance(self, instance: Any) -> None:
        from kops_openstack.cloudgroups import detach_instance

        detach_instance(instance)

    # --- nodes joining: a machine key in the server's metadata, checked against Nova ---------------------

    def node_identity_proof(self, body: bytes) -> str:
        from kops_openstack import identity

        return identity.proof(body)

    def verify_node_identity(self, cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str,
                             body: bytes, instance_group: str) -> Any:
        from kops_openstack import identity

        return identity.verify(cluster, groups, authorization, body, instance_group)

    def identify_node(self, cluster: dict[str, Any], provider_id: str) -> Any:
        from kops_openstack import identity

        return identity.identify(cluster, provider_id)

    def region_for_zone(self, zone: str) -> str:
        """OpenStack zones do not name their region: it is the one the credentials choose (``OS_REGION_NAME``)."""
        if not ZONE.match(zone):
            raise KopsError(f"invalid OpenStack zone {zone!r}: expected an availability zone name such as nova")
        return os.environ.get("OS_REGION_NAME", "")
