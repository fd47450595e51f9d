"""The AWS cloud driver's side of the engine: a run's context, what the cluster owns, its instances.

:class:`kops_aws.cloud.AWSCloud` delegates its engine methods here, keeping the driver module (imported
on every CLI start) free of anything heavier than the region rules.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.awsapi import AWS_ERRORS, AWSApi
from kops_aws.discovery import deletion_tasks, snapshot_for, store_ids

#: The Terraform AWS provider version upstream's configurations require.
TERRAFORM_AWS_PROVIDER = ">= 5.0.0"


def engine_context(model: Any) -> Context:
    """A run's context. For Terraform no call reaches AWS: no API handle, and a snapshot with no listers."""
    if model.target == "terraform":
        return Context(model.cluster_name, cloud=None, snapshot=Snapshot())
    api = AWSApi(model.region)
    return Context(model.cluster_name, cloud=api, snapshot=snapshot_for(api, model.cluster_name),
                   errors=AWS_ERRORS)


def owned_resources(ctx: Context, model: Any) -> list[Task]:
    """Deletion tasks for every resource tagged as owned by the cluster, across every registered kind."""
    return deletion_tasks(ctx.snapshot, model.cluster_name)


def resource_store_ids(ctx: Context, model: Any) -> dict[str, str | None]:
    return store_ids(ctx.snapshot, model.cluster_name)


def terraform_writer(model: Any) -> TerraformWriter:
    """A writer with the AWS providers (the default one and ``aws.files`` for state-store objects, each with
    the spec's ``target.terraform`` extra settings) and the ``cluster_name`` and ``region`` outputs every
    upstream configuration starts with."""
    region = model.region
    target = model.cluster.spec.target
    extra = target.terraform if target is not None and target.terraform is not None else None
    writer = TerraformWriter()
    writer.add_provider("aws", {**((extra and extra.providerExtraConfig) or {}), "region": region},
                        source="hashicorp/aws", version=TERRAFORM_AWS_PROVIDER)
    writer.add_provider("aws", {**((extra and extra.filesProviderExtraConfig) or {}), "region": region},
                        alias="files")
    writer.add_output("cluster_name", model.cluster_name)
    writer.add_output("region", region)
    return writer
