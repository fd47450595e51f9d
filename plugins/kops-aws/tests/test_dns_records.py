"""API DNS records against moto's Route53: when they are made, alias targets, convergence and deletion."""

from __future__ import annotations

import dataclasses

import hcl2
import pytest
from aws_model_kit import delete_owned, executor, model_for
from kops.engine import Lifecycle, Task
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.engine.targets.terraform import TerraformTarget
from kops_aws.awsapi import AWSApi
from kops_aws.model import AWSModel
from kops_aws.model.dns import DNSBuilder
from kops_aws.model.firewall import FirewallBuilder
from kops_aws.model.network import NetworkBuilder
from kops_aws.testing import moto_gaps

CLUSTER = "minimal.example.com"
LB_DNS = "api-minimal-0123456789.elb.us-east-1.amazonaws.com"


class LoadBalancer(Task):
    """An existing load balancer standing in for the API's: what an alias record needs of its target."""

    dns_name: str | None = None
    hosted_zone_id: str | None = None
    terraform_type = "aws_lb"
    id_field = "dns_name"

    def find(self, ctx):
        return LoadBalancer(name=self.name, lifecycle=self.lifecycle, dns_name=self.dns_name,
                            hosted_zone_id=self.hosted_zone_id)

    def render_terraform(self, ctx, tf):
        tf.add_resource("aws_lb", self.name, {"name": "api-minimal"})


@pytest.fixture
def fresh(aws):
    moto_gaps.fill()
    aws.reset()
    return aws


def build(model, *, with_lb: bool = True, lb_lifecycle: Lifecycle = Lifecycle.EXISTS_AND_WARN_IF_CHANGES) -> list[Task]:
    aws = AWSModel(dataclasses.replace(model, _tasks={}))  # each build is a new run
    tasks: list[Task] = []
    for builder in (NetworkBuilder(), FirewallBuilder()):
        built = builder.build(aws)
        aws.add(built)
        tasks += built
    if with_lb:
        lb = LoadBalancer(name=f"api.{CLUSTER}", lifecycle=lb_lifecycle, dns_name=LB_DNS,
                          hosted_zone_id="Z35SXDOTRQ7X7K")
        aws.add([lb])
        tasks.append(lb)
    return tasks + DNSBuilder().build(aws)


def records(api: AWSApi, zone_id: str) -> dict[tuple[str, str], dict]:
    sets = api.route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): r for r in sets if r["Type"] in ("A", "AAAA")}


def test_records_alias_the_api_load_balancer_converge_and_are_deleted(fresh) -> None:
    api = AWSApi("us-east-1")
    zone = api.route53.create_hosted_zone(Name="example.com", CallerReference="t1")["HostedZone"]["Id"]
    model = model_for("minimal-1.35", region="us-east-1")
    tasks = build(model)
    assert sorted(t.name for t in tasks if t.type_name == "DNSRecord") == [f"api.{CLUSTER}", f"api.{CLUSTER}-AAAA"]

    DirectTarget(executor()).run(model.cloud.engine_context(model), tasks)
    found = records(api, zone)
    assert set(found) == {(f"api.{CLUSTER}.", "A"), (f"api.{CLUSTER}.", "AAAA")}
    assert found[(f"api.{CLUSTER}.", "A")]["AliasTarget"]["DNSName"].rstrip(".") == LB_DNS
    again = DryRunTarget(executor()).run(model.cloud.engine_context(model), build(model))
    assert [c.label for c in again.changes if c.action.value != "none"] == []

    delete_owned(model)
    assert records(api, zone) == {}
    assert api.route53.get_hosted_zone(Id=zone)["HostedZone"]["Name"] == "example.com."


def test_no_records_without_a_load_balancer_for_gossip_or_without_dns() -> None:
    model = model_for("minimal-1.35", region="us-east-1")
    assert not [t for t in build(model, with_lb=False) if t.type_name == "DNSRecord"]
    none = model_for("minimal-1.35", region="us-east-1",
                     edit=lambda c: c["spec"]["topology"].update(dns={"type": "None"}))
    assert not [t for t in build(none) if t.type_name.startswith("DNS")]


def test_internal_api_records_and_a_private_zone_association() -> None:
    def edit(cluster: dict) -> None:
        cluster["spec"]["topology"]["dns"] = {"type": "Private"}
        cluster["spec"]["dnsZone"] = "internal.example.com"
        cluster["spec"]["api"] = {"loadBalancer": {"type": "Internal", "class": "Network", "useForInternalApi": True}}

    tasks = build(model_for("minimal-1.35", region="us-east-1", edit=edit))
    names = sorted(t.name for t in tasks if t.type_name.startswith("DNS"))
    assert names == ["api.internal.minimal.example.com", "api.internal.minimal.example.com-AAAA",
                     "api.minimal.example.com", "api.minimal.example.com-AAAA", "internal.example.com"]


def test_terraform_uses_the_zone_id_or_looks_the_zone_up() -> None:
    def by_id(cluster: dict) -> None:
        cluster["spec"]["dnsZone"] = "Z1AFAKE1ZON3YO"

    for edit, zone_id in ((by_id, '"/hostedzone/Z1AFAKE1ZON3YO"'), (None, "${data.aws_route53_zone.example-com.zone_id}")):
        model = model_for("minimal-1.35", region="us-east-1", target="terraform", edit=edit)
        files = TerraformTarget(None, model.cloud.terraform_writer(model)).run(
            model.cloud.engine_context(model), build(model, lb_lifecycle=Lifecycle.SYNC))
        doc = hcl2.loads(files["kubernetes.tf"].decode())
        records_ = {name: attrs for block in doc["resource"] for type_, named in block.items()
                    if type_.strip('"') == "aws_route53_record" for name, attrs in named.items()}
        assert {name.strip('"') for name in records_} == {"api-minimal-example-com", "api-minimal-example-com-AAAA"}
        record = records_['"api-minimal-example-com"']
        assert record["zone_id"] == zone_id
        assert record["alias"][0]["name"] == "${aws_lb.api-minimal-example-com.dns_name}"
