"""The cluster's own VPC, when the spec asks for one (``networkCIDR``, upstream's ``NetworkModelBuilder``); with
``networkID`` the Droplets join that VPC, and with neither the region's default one."""

from __future__ import annotations

from typing import Any

from kops.model import ModelContext

from kops_digitalocean.tags import vpc_name
from kops_digitalocean.tasks.vpc import VPC


def vpc_of(model: ModelContext) -> VPC | str | None:
    """What the cluster's Droplets and load balancer are in: the VPC task, a shared VPC's ID, or None."""
    spec = model.cluster.spec
    if spec.networkID:
        return str(spec.networkID)
    if spec.networkCIDR:
        return model.get("VPC", vpc_name(model.cluster_name))
    return None


class NetworkBuilder:
    def build(self, model: ModelContext) -> list[Any]:
        spec = model.cluster.spec
        if not spec.networkCIDR or spec.networkID:
            return []
        return [VPC(name=vpc_name(model.cluster_name), region=model.region, ip_range=spec.networkCIDR)]
