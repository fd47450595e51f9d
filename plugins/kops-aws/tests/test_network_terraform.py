"""Terraform for the network and firewall: upstream's resources, names and attributes, stable bytes, valid HCL.

Each upstream case's ``kubernetes.tf`` is the yardstick: every resource of the types these builders make
must come out with upstream's name and exactly upstream's attributes. Known, deliberate differences are
listed per case with the reason.
"""

from __future__ import annotations

import random
import re

import hcl2
import pytest
from aws_model_kit import build, model_for
from kops.engine.targets.terraform import TerraformTarget
from kops.testing import upstream
from kops_aws.model import AWSModel

TYPES = {
    "aws_vpc", "aws_vpc_ipv4_cidr_block_association", "aws_vpc_dhcp_options", "aws_vpc_dhcp_options_association",
    "aws_subnet", "aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_eip", "aws_nat_gateway",
    "aws_route_table", "aws_route", "aws_route_table_association", "aws_security_group", "aws_security_group_rule",
}
BLOCK = re.compile(r'^resource "([^"]+)" "([^"]+)" \{\n(.*?)^\}', re.M | re.S)

#: Upstream looked the shared VPC's internet gateway up while writing Terraform (its tests' fake cloud says
#: ``igw-1``); here it is a data source, as writing Terraform calls no API.
SHARED_VPC_ROUTES = {("aws_route", "route-0-0-0-0--0"), ("aws_route", "route-__--0")}
CASES = {
    "minimal-1.35": set(), "privatecalico": set(), "complex": set(), "existing_sg": set(),
    "private-shared-ip": SHARED_VPC_ROUTES, "privatekopeio": set(), "minimal-ipv6-calico": set(),
    "minimal-ipv6-no-subnet-prefix": set(), "unmanaged": set(), "many-addons": set(), "privatecilium": set(),
    "privateciliumadvanced": set(), "shared_vpc": SHARED_VPC_ROUTES, "privatedns2": SHARED_VPC_ROUTES,
    "minimal-longclustername": set(), "ha": set(),
}


def resources(text: str) -> dict[tuple[str, str], str]:
    return {(m.group(1), m.group(2)): m.group(3) for m in BLOCK.finditer(text) if m.group(1) in TYPES}


def _upstream_case(case: str):
    """Upstream's folder for ``case``; the test is skipped where the fixtures are missing (KOPS_FIXTURES)."""
    return upstream.require() / "update_cluster" / case


def render(case: str, shuffle: int | None = None) -> dict[str, bytes]:
    model = model_for(case, target="terraform")
    tasks = build(model)
    if shuffle is not None:
        random.Random(shuffle).shuffle(tasks)
    return TerraformTarget(None, model.cloud.terraform_writer(model)).run(model.cloud.engine_context(model), tasks)


#: Rule descriptions, which upstream leaves out of Terraform (checked by the firewall's own tests).
DESCRIPTION = re.compile(r'^  description += ".*"\n', re.M)


def hardened(case: str, key: tuple[str, str]) -> bool:
    """Rules that differ from upstream's by design: the load balancers' egress (only the VPC here) and,
    on IPv4-only clusters, ``::/0`` egress and ICMPv6 path MTU rules (none here)."""
    name = key[1]
    if key[0] != "aws_security_group_rule":
        return False
    if re.match(r"from-(api|bastion)-elb-.*-egress-", name):
        return True
    aws = AWSModel(model_for(case, target="terraform"))
    ipv6 = aws.ipv6_only or any(s.ipv6CIDR for s in aws.subnets)
    return not ipv6 and (name.startswith("icmpv6-pmtu-") or "-egress-all-0to0-__--0" in name)


@pytest.mark.parametrize("case", sorted(CASES))
def test_resources_match_upstream(case: str) -> None:
    upstream = resources((_upstream_case(case) / "kubernetes.tf").read_text())
    here = {k: DESCRIPTION.sub("", v) if k[0] == "aws_security_group_rule" else v
            for k, v in resources(render(case)["kubernetes.tf"].decode()).items()}
    skipped = CASES[case] | {k for k in set(upstream) | set(here) if hardened(case, k)}
    assert sorted(set(upstream) - set(here) - skipped) == [], "missing"
    assert sorted(set(here) - set(upstream) - skipped) == [], "extra"
    different = [key for key in upstream if key in here and key not in skipped and upstream[key] != here[key]]
    assert different == [], "\n".join(f"{k}:\n{upstream[k]}--- here:\n{here[k]}" for k in different[:3])


def test_the_shared_vpc_gateway_is_read_with_a_data_source() -> None:
    doc = hcl2.loads(render("shared_vpc")["kubernetes.tf"].decode())
    data = {type_.strip('"'): named for block in doc["data"] for type_, named in block.items()}
    assert data["aws_vpc"]['"sharedvpc-example-com"']["id"] == '"vpc-12345678"'
    gateway = data["aws_internet_gateway"]['"sharedvpc-example-com"']
    assert gateway["filter"][0]["values"] == ['"vpc-12345678"']


def test_output_is_stable_whatever_the_task_order_and_parses() -> None:
    first = render("privatecalico")
    assert render("privatecalico", shuffle=7) == first
    doc = hcl2.loads(first["kubernetes.tf"].decode())
    outputs = {name.strip('"') for block in doc["output"] for name in block}
    assert {"vpc_id", "subnet_us-test-1a_id", "subnet_utility-us-test-1a_id", "route_table_public_id",
            "route_table_private-us-test-1a_id", "region", "cluster_name"} <= outputs


def test_providers_carry_the_specs_extra_settings() -> None:
    upstream = (_upstream_case("complex") / "kubernetes.tf").read_text()
    here = render("complex")["kubernetes.tf"].decode()
    providers = re.compile(r'^provider "aws" \{\n.*?^\}', re.M | re.S)
    assert providers.findall(here) == providers.findall(upstream)


def test_writing_terraform_makes_no_cloud_call() -> None:
    model = model_for("privatecalico", target="terraform")
    ctx = model.cloud.engine_context(model)
    assert ctx.cloud is None and ctx.snapshot.calls == {}
    TerraformTarget(None, model.cloud.terraform_writer(model)).run(ctx, build(model))
    assert ctx.snapshot.calls == {}
