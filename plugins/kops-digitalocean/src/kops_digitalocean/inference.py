"""DigitalOcean inference rules, contributed to core through the ``kops_inference_rules`` hook."""

from __future__ import annotations

from kops.errors import KopsError
from kops.inference import InferenceContext, Rule, rule

from kops_digitalocean.cloud import region_of


@rule("create", 20, clouds=("digitalocean",))
def one_region(ctx: InferenceContext) -> None:
    """``--zones`` names the cluster's region (``nyc1``), its only zone: region slugs are lowercase, and a cluster
    runs in one region, as upstream allows."""
    o = ctx.options
    o.zones = [region_of(z) or z for z in o.zones]
    o.control_plane_zones = [region_of(z) or z for z in o.control_plane_zones]
    regions = sorted(set(o.zones) | set(o.control_plane_zones))
    if len(regions) > 1:
        raise KopsError(f"--zones: a DigitalOcean cluster runs in one region, its only zone (such as nyc1), not "
                        f"{', '.join(regions)}")


@rule("create", 31, clouds=("digitalocean",))
def subnets_name_their_region(ctx: InferenceContext) -> None:
    """A DigitalOcean subnet is its region: it names it as its zone and as its region."""
    for subnet in ctx.subnets():
        if subnet.get("zone") and not subnet.get("region"):
            subnet["region"] = subnet["zone"]


def rules() -> list[Rule]:
    return [one_region, subnets_name_their_region]
