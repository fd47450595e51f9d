"""``kops create cluster --networking amazonvpc`` writes what upstream kOps writes, and only on AWS."""

from __future__ import annotations

import pytest
from kops.errors import KopsError
from kops.inference import InferenceContext
from kops_amazon_vpc.provider import AmazonVPC


@pytest.mark.parametrize("name", ["amazonvpc", "amazon-vpc-routed-eni"])
def test_both_names_write_an_amazonvpc_section(create_cluster, name):
    spec = create_cluster("--networking", name)["spec"]
    assert spec["networking"] == {"amazonvpc": {}}
    # Pods live in the VPC, so nothing inside it is masqueraded.
    assert spec["nonMasqueradeCIDR"] == spec["networkCIDR"]


def test_refused_off_aws_naming_the_flag():
    ctx = InferenceContext(cluster={"metadata": {"name": "vpc.example.com"}, "spec": {"cloudProvider": "gce"}})
    with pytest.raises(KopsError, match="--networking amazonvpc: supported only on aws"):
        AmazonVPC("amazonvpc").create_spec(ctx)
    assert "networking" not in ctx.spec
