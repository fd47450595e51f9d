"""The ``aws`` cloud driver: zones, regions and defaults, answered offline."""

from __future__ import annotations

import re
from typing import Any

from kops.cloud import CloudProvider
from kops.errors import KopsError

from kops_aws.account import ACCOUNT_FACT

# us-east-1a, us-gov-west-1b, ap-southeast-2c, local zones (us-west-2-lax-1a) and wavelength zones
# (us-east-1-wl1-bos-wlz-1); the test region us-test-1 follows the same shape.
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

    def region_for_zone(self, zone: str) -> str:
        m = _ZONE.match(zone)
        if not m:
            raise KopsError(f"invalid AWS zone {zone!r}: expected a zone such as us-east-1a")
        return m.group("region")

    # --- the engine's side (kops_aws.engine; imported only when a run needs it) -------------------------

    def engine_context(self, model: Any) -> Any:
        from kops_aws import engine

        return engine.engine_context(model)

    def owned_resources(self, ctx: Any, model: Any) -> list[Any]:
        from kops_aws import engine

        return engine.owned_resources(ctx, model)

    def instances(self, ctx: Any, model: Any) -> list[dict[str, Any]]:
        from kops_aws import engine

        return engine.instances(ctx, model)

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
