"""The ``gce`` cloud driver: zones, regions and defaults, answered offline."""

from __future__ import annotations

import re
from typing import Any

from kops.cloud import CloudProvider, EtcdVolumes, NodeIdentity
from kops.errors import KopsError

# A zone is its region (us-central1, europe-west4, northamerica-northeast1; the test region us-test1)
# and a suffix (a, b, c, or the longer suffixes of special-purpose zones).
_ZONE = re.compile(r"^(?P<region>[a-z]+-[a-z]+[0-9]+)-(?P<suffix>[a-z][a-z0-9]*)$")
#: The Terraform Google provider version upstream's configurations require.
TERRAFORM_GOOGLE_PROVIDER = ">= 5.11.0"


def zone_region(zone: str) -> str | None:
    """The region of a GCE zone (``us-central1-a`` -> ``us-central1``), or None if it is not a zone's name."""
    m = _ZONE.match(zone)
    return m.group("region") if m else None


class GCECloud(CloudProvider):
    name = "gce"
    channel_provider_id = "gce"
    # Upstream's fixed defaults for GCE (it asks no API for them).
    default_machine_types = {
        "ControlPlane": ["e2-medium"],
        "Node": ["e2-medium"],
        "Bastion": ["e2-micro"],
    }
    # GCE subnets belong to a region; kops picks their ranges from 10.0.0.0/8 itself (see kops_gce.network).
    regional_subnets = True
    instance_groups_list_zones = True
    utility_subnets = False
    # Groups added later are labelled for the metadata proxy, as upstream's kops create instancegroup does.
    instance_group_node_labels = {"cloud.google.com/metadata-proxy-ready": "true"}

    state_store_schemes = ("gs",)
    dns_controller_provider = "google-clouddns"
    # Upstream's ownership labels on GCE, and the state store's ID as a GCE label can hold it.
    ownership_label_keys = ("k8s-io-cluster-name", "k8s-io-instance-group", "kops-k8s-io-state-store")
    ownership_label_prefixes = ("k8s-io-role-", "k8s-io-etcd-")

    def label_key(self, key: str) -> str:
        """GCE label keys hold lowercase letters, digits, ``-`` and ``_``: a key is lowercased and anything else
        becomes ``-``, as kops writes it."""
        return re.sub(r"[^a-z0-9_-]", "-", key.lower())

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes:
        """etcd-manager finds a member's persistent disk by the labels :mod:`kops_gce.model.etcd` gives it, as
        upstream's GCE volume provider reads them (the project and zone come from the machine's metadata)."""
        from kops_gce.labels import CLUSTER_LABEL, ETCD_LABEL_PREFIX, ROLE_LABEL_PREFIX, cluster_label_value

        return EtcdVolumes([
            "--volume-provider=gce",
            f"--volume-tag={CLUSTER_LABEL}={cluster_label_value(cluster.metadata.name)}",
            f"--volume-tag={ETCD_LABEL_PREFIX}{etcd_name}",
            f"--volume-tag={ROLE_LABEL_PREFIX}master=master",
            f"--volume-name-tag={ETCD_LABEL_PREFIX}{etcd_name}",
        ])

    def region_for_zone(self, zone: str) -> str:
        region = zone_region(zone)
        if region is None:
            raise KopsError(f"invalid GCE zone {zone!r}: expected a zone such as us-central1-a")
        return region

    # --- nodes joining (kops_gce.identity; the machine's side uses the standard library only) -------------

    def node_identity_proof(self, body: bytes) -> str:
        """An identity token from the instance's metadata server, its audience binding the body's SHA-256."""
        from kops_gce import identity

        return identity.proof(body)

    def verify_node_identity(self, cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str,
                             body: bytes, instance_group: str) -> NodeIdentity:
        from kops_gce import identity

        return identity.verify(cluster, groups, authorization, body, instance_group)

    def identify_node(self, cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
        from kops_gce import identity

        return identity.identify(cluster, provider_id)

    # --- the engine's side: a run's context, what the cluster owns ---------------------------------------

    def engine_context(self, model: Any) -> Any:
        """A run's context: the project's Compute clients (made on first use), a snapshot listing each kind at
        most once, the API's errors. Terraform output gets the same handle, which makes no call unless asked."""
        from kops.engine import Context

        from kops_gce.api import ERRORS, GCE
        from kops_gce.discovery import DISCOVERY

        gce = GCE.for_cluster(model.cluster, self)
        if model.target == "terraform":
            return Context(model.cluster_name, cloud=gce)
        return Context(model.cluster_name, cloud=gce, snapshot=DISCOVERY.snapshot(gce, model.cluster_name),
                       errors=ERRORS)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        from kops_gce.discovery import DISCOVERY

        return DISCOVERY.deletion_tasks(ctx.snapshot, model.cluster_name)

    def api_endpoint(self, cluster: Any) -> str | None:
        """The IP address of the API's load balancer (its ``api-`` forwarding rule, the external one where there is
        one); None without a load balancer."""
        if cluster.spec.api is None or cluster.spec.api.loadBalancer is None:
            return None
        from kops_gce.api import GCE
        from kops_gce.tasks.forwarding_rule import api_address

        return api_address(GCE.for_cluster(cluster, self), cluster.metadata.name)

    def api_addresses(self, cluster: Any) -> list[str]:
        """Every address the API's forwarding rules use: the external one and the internal ones, as upstream."""
        if cluster.spec.api is None or cluster.spec.api.loadBalancer is None:
            return []
        from kops_gce.api import GCE
        from kops_gce.model.api_loadbalancer import api_address_names
        from kops_gce.tasks.address import api_addresses

        return api_addresses(GCE.for_cluster(cluster, self), api_address_names(cluster), cluster.metadata.name)

    def api_address_tasks(self, model: Any) -> list[Any]:
        """The API's reserved addresses (made before the forwarding rules that use them)."""
        from kops_gce.model.api_loadbalancer import api_address_names
        from kops_gce.tasks.address import Address

        names = api_address_names(model.cluster)
        return [t for t in model.tasks if isinstance(t, Address) and t.name in names]

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        from kops_gce.discovery import store_ids

        return store_ids(ctx.snapshot, model.cluster_name)

    # --- Terraform output -------------------------------------------------------------------------------

    def terraform_stores_boot_files(self, model: Any) -> bool:
        """Terraform writes the boot files as ``google_storage_bucket_object`` resources when the state store is
        in Cloud Storage (see :mod:`kops_gce.model.storage`)."""
        return model.state_url.lower().startswith("gs://")

    def terraform_writer(self, model: Any) -> Any:
        """A writer with upstream's ``google`` provider (the cluster's project and region, then the spec's
        ``target.terraform.providerExtraConfig``), the ``cluster_name``, ``project`` and ``region`` locals and
        outputs, and, for a ``gs://`` state store, the ``google.files`` provider its objects are written through
        (with ``filesProviderExtraConfig``)."""
        from kops.engine.targets.terraform import TerraformWriter

        from kops_gce.api import GCE

        gce = GCE.for_cluster(model.cluster, self)
        target = model.cluster.spec.target
        extra = target.terraform if target is not None and target.terraform is not None else None
        writer = TerraformWriter()
        writer.add_provider("google", {"project": gce.project, "region": gce.region,
                                       **((extra and extra.providerExtraConfig) or {})},
                            source="hashicorp/google", version=TERRAFORM_GOOGLE_PROVIDER)
        if self.terraform_stores_boot_files(model):
            writer.add_provider("google", dict((extra and extra.filesProviderExtraConfig) or {}), alias="files")
        writer.add_output("cluster_name", model.cluster_name)
        writer.add_output("project", gce.project)
        writer.add_output("region", gce.region)
        return writer

    # --- running clusters: each group's managed instance groups and machines (see kops_gce.cloudgroups) -------

    #: Upstream's rolling updates on GCE launch no machine first; a ``maxSurge`` the spec sets still works.
    default_max_surge = 0

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None) -> list[Any]:
        from kops_gce import cloudgroups
        from kops_gce.api import GCE

        return cloudgroups.cloud_groups(GCE.for_cluster(cluster, self), cluster, instance_groups)

    def delete_instance(self, instance: Any) -> None:
        from kops_gce import cloudgroups

        cloudgroups.delete_instance(instance)

    def detach_instance(self, instance: Any) -> None:
        from kops_gce import cloudgroups

        cloudgroups.detach_instance(instance)
