"""Complete-stage rule for ``spec.cloudConfig`` settings every cloud shares."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule


@rule("complete", 90)
def storage_classes(ctx: InferenceContext) -> None:
    """kops manages the cloud's storage classes unless told otherwise (OpenStack's block-storage setting says)."""
    openstack = ctx.get("spec.cloudConfig.openstack.blockStorage.createStorageClass")
    ctx.default("spec.cloudConfig.manageStorageClasses", True if openstack is None else openstack)
