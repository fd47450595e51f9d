"""The ``aws`` cloud driver: zones, regions and defaults, answered offline."""

from __future__ import annotations

import re
from typing import Any

from kops.cloud import CloudInstance, CloudInstanceGroup, CloudProvider, EtcdVolumes, NodeIdentity
from kops.errors import KopsError

from kops_aws.account import ACCOUNT_FACT

# us-east-1a, us-gov-west-1b, ap-southeast-2c, local zones (us-west-2-lax-1a) and wavelength zones
# (us-east-1-wl1-bos-wlz-1); the test region us-test-1 follows the same shape.
#: Characters every AWS service allows in tag keys and values (EC2 alone allows more).
_TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")
#: An instance type: a family and a size (t3.medium, m5d.2xlarge, u-6tb1.metal, mac2-m2pro.metal).
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
#: Tags per resource, and how many of them kops needs for its own (name, ownership, role, group, store ID...).
MAX_TAGS, KOPS_TAGS = 50, 10

_ZONE = re.compile(r"^(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)(?P<rest>[a-z]|-[a-z0-9-]+[a-z0-9])$")


class AWSCloud(CloudProvider):
    name = "aws"
    channel_provider_id = "aws"
    default_machine_types = {
        "ControlPlane/amd64": ["t3.medium", "c5.large", "m5.large", "t2.medium", "m3.medium"],
        "ControlPlane/arm64": ["t4g.medium", "c6g.large", "m6g.large"],
        "Node/amd64": ["t3.medium", "c5.large", "m5.large", "t2.medium"],
        "Node/arm64": ["t4g.medium", "c6g.large", "m6g.large"],
        "Bastion/amd64": ["t3.micro", "t2.micro"],
        "Bastion/arm64": ["t4g.micro"],
    }

    default_network_cidr = "172.20.0.0/16"
    assigns_subnet_cidrs = True
    encrypt_etcd_by_default = True
    mixed_instances = True
    account_fact_names = (ACCOUNT_FACT,)
    reserved_label_prefixes = ("aws:",)
    state_store_schemes = ("s3",)
    supports_prefix_lists = True
    supports_ipv6 = True
    service_account_identities = True
    dns_controller_provider = "aws-route53"
    default_max_surge = 1
    reads_shared_networks = True

    def label_problems(self, labels: dict[str, str]) -> list[tuple[str, str]]:
        """Upstream's ownership rules, then AWS's own: keys of 1 to 128 characters, values of at most 256, the
        characters every service accepts, and 50 tags per resource with kops's own among them."""
        found = super().label_problems(labels)
        for key, value in labels.items():
            if key == "Name":
                found.append((key, "kops names each resource with its Name tag"))
            elif not 1 <= len(key) <= 128:
                found.append((key, f"an AWS tag key has 1 to 128 characters (this one has {len(key)})"))
            elif len(value) > 256:
                found.append((key, f"an AWS tag value has at most 256 characters (this one has {len(value)})"))
            elif not _TAG_TEXT.match(key) or not _TAG_TEXT.match(value):
                found.append((key, "AWS tags may hold only letters, digits, spaces and _ . : / = + - @"))
        if len(labels) > MAX_TAGS - KOPS_TAGS:
            found.append(("", f"{len(labels)} labels are too many: AWS allows {MAX_TAGS} tags per resource and kops "
                              f"needs {KOPS_TAGS} of them, so at most {MAX_TAGS - KOPS_TAGS} may be given"))
        return found

    def machine_type_problem(self, machine_type: str) -> str | None:
        if not _INSTANCE_TYPE.match(machine_type):
            return f"{machine_type!r} is not an EC2 instance type (a family and a size, such as t3.medium)"
        return None

    def etcd_volumes(self, cluster: Any, etcd_name: str) -> EtcdVolumes:
        """etcd-manager finds a member's EBS volume by the tags kops-aws gives it, and calls EC2 in the cluster's
        region."""
        flags = [
            f"--volume-name-tag=k8s.io/etcd/{etcd_name}",
            "--volume-provider=aws",
            f"--volume-tag=k8s.io/etcd/{etcd_name}",
            "--volume-tag=k8s.io/role/control-plane=1",
            f"--volume-tag=kubernetes.io/cluster/{cluster.metadata.name}=owned",
        ]
        return EtcdVolumes(flags, {"AWS_REGION": self.region(cluster)})

    def region_for_zone(self, zone: str) -> str:
        m = _ZONE.match(zone)
        if not m:
            raise KopsError(f"invalid AWS zone {zone!r}: expected a zone such as us-east-1a")
        return m.group("region")

    def fill_from_cloud(self, cluster: dict[str, Any]) -> None:
        """A shared subnet's zone and CIDR, the shared VPC's CIDR, read from EC2 (:mod:`kops_aws.shared_network`)."""
        from kops_aws import shared_network

        shared_network.fill(cluster, self._tree_region(cluster))

    # --- the engine's side (kops_aws.engine; imported only when a run needs it) -------------------------

    def engine_context(self, model: Any) -> Any:
        from kops_aws import engine

        return engine.engine_context(model)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        from kops_aws import engine

        return engine.owned_resources(ctx, model)

    def resource_store_ids(self, ctx: Any, model: Any) -> dict[str, str | None]:
        from kops_aws import engine

        return engine.resource_store_ids(ctx, model)

    def cloud_groups(self, cluster: Any, instance_groups: list[Any], nodes: list[Any] | None = None,
                     ) -> list[CloudInstanceGroup]:
        from kops_aws import cloudgroups
        from kops_aws.awsapi import AWSApi

        return cloudgroups.cloud_groups(AWSApi(self.region(cluster)), cluster, instance_groups)

    def api_endpoint(self, cluster: Any) -> str | None:
        from kops_aws import cloudgroups
        from kops_aws.awsapi import AWSApi

        return cloudgroups.api_endpoint(AWSApi(self.region(cluster)), cluster.metadata.name)

    def api_addresses(self, cluster: Any) -> list[str]:
        from kops_aws import cloudgroups
        from kops_aws.awsapi import AWSApi

        return cloudgroups.api_addresses(AWSApi(self.region(cluster)), cluster.metadata.name)

    def api_address_tasks(self, model: Any) -> list[Any]:
        """The API's Network Load Balancer."""
        lb = model.find("LoadBalancer", f"api.{model.cluster_name}")
        return [lb] if lb is not None else []

    def delete_instance(self, instance: CloudInstance) -> None:
        from kops_aws import cloudgroups

        cloudgroups.delete_instance(instance)

    def detach_instance(self, instance: CloudInstance) -> None:
        from kops_aws import cloudgroups

        cloudgroups.detach_instance(instance)

    # --- nodes joining (kops_aws.nodeidentity; the standard library only, as on machines) ------------------

    def node_identity_proof(self, body: bytes) -> str:
        """An STS GetCallerIdentity signed with the instance role, binding the body's SHA-256 (upstream's token)."""
        from kops_aws import nodeidentity

        return nodeidentity.proof(body)

    def verify_node_identity(self, cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str,
                             body: bytes, instance_group: str) -> NodeIdentity:
        from kops_aws import nodeidentity

        return nodeidentity.verify(cluster, groups, authorization, body, instance_group, self._tree_region(cluster))

    def identify_node(self, cluster: dict[str, Any], provider_id: str) -> NodeIdentity | None:
        from kops_aws import nodeidentity

        return nodeidentity.identify(cluster, provider_id, self._tree_region(cluster))

    def _tree_region(self, cluster: dict[str, Any]) -> str:
        """The region of a completed cluster given as a tree (its first subnet's)."""
        for subnet in cluster["spec"].get("subnets") or []:
            if subnet.get("zone"):
                return self.region_for_zone(subnet["zone"])
            if subnet.get("region"):
                return str(subnet["region"])
        raise KopsError(f"cluster {cluster['metadata']['name']}: no subnet names a zone, so its AWS region is unknown")

    def account_facts(self, ctx: Any) -> dict[str, str]:
        from kops_aws.account import account_id

        return {ACCOUNT_FACT: account_id(ctx)}

    def terraform_stores_boot_files(self, model: Any) -> bool:
        """Terraform writes boot files as ``aws_s3_object`` resources when the state store is in S3."""
        return model.state_url.startswith("s3://")

    def terraform_writer(self, model: Any) -> Any:
        """A Terraform writer with the AWS providers and the ``cluster_name`` and ``region`` outputs."""
        from kops_aws import engine

        return engine.terraform_writer(model)
