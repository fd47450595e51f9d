"""The API's Network Load Balancer: subnets, listeners and target groups as upstream lays them out, and a
control plane that registers with it on the emulator."""

from __future__ import annotations

import pytest
from kops.api.access import LoadBalancerSubnetSpec
from kops.engine import Executor
from kops.engine.executor import ExecutionError
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops_aws.model import build_all
from kops_aws.tasks.lb_listener import LoadBalancerListener
from kops_aws.tasks.load_balancer import LoadBalancer
from kops_aws.tasks.target_group import TargetGroup
from upstream_cases import fresh_account, model_for, run_context, seed_images


def built(model) -> dict[str, dict]:
    out: dict[str, dict] = {"lb": {}, "listener": {}, "tg": {}}
    for task in build_all(model):
        kind = {LoadBalancer: "lb", LoadBalancerListener: "listener", TargetGroup: "tg"}.get(type(task))
        if kind:
            out[kind][task.name] = task
    return out


def test_a_certificate_makes_a_tls_listener_and_a_plain_one_on_8443() -> None:
    tasks = built(model_for("complex"))
    lb = tasks["lb"]["api.complex.example.com"]
    assert (lb.lb_name, lb.scheme, lb.cross_zone) == ("api-complex-example-com-vd3t5n", "internet-facing", True)
    assert [m["subnet"].name for m in lb.subnet_mappings] == ["us-test-1a.complex.example.com"]
    assert lb.subnet_mappings[0]["allocation_id"] == "eipalloc-012345a678b9cdefa"
    assert lb.security_groups[1:] == ["sg-exampleid5", "sg-exampleid6"]
    assert lb.access_log == {"enabled": True, "bucket": "access-log-example", "prefix": None}
    listeners = {x.port: x for x in tasks["listener"].values()}
    assert sorted(listeners) == [443, 8443]
    assert (listeners[443].protocol, listeners[443].target_group.name, listeners[443].ssl_policy) == (
        "TLS", "tls-complex-example-com-5nursn", "ELBSecurityPolicy-2016-08")
    assert listeners[443].certificate_arn.startswith("arn:aws-test:acm:")
    assert (listeners[8443].protocol, listeners[8443].target_group.name) == ("TCP", "tcp-complex-example-com-vpjolq")


def test_private_topology_uses_utility_subnets_and_adds_the_bastions_balancer() -> None:
    tasks = built(model_for("privatecalico"))
    api = tasks["lb"]["api.privatecalico.example.com"]
    assert [m["subnet"].name for m in api.subnet_mappings] == ["utility-us-test-1a.privatecalico.example.com"]
    bastion = tasks["lb"]["bastion.privatecalico.example.com"]
    assert bastion.lb_name == "bastion-privatecalico-exa-hocohm"
    assert [(x.port, x.target_group.port) for x in tasks["listener"].values() if x.load_balancer is bastion] == [
        (22, 22)]


def test_cross_zone_balancing_is_on_unless_the_spec_turns_it_off() -> None:
    tasks = built(model_for("privatecalico"))
    assert tasks["lb"]["api.privatecalico.example.com"].cross_zone is True
    assert tasks["lb"]["bastion.privatecalico.example.com"].cross_zone is True
    model = model_for("privatecalico")
    model.cluster.spec.api.loadBalancer.crossZoneLoadBalancing = False
    assert built(model)["lb"]["api.privatecalico.example.com"].cross_zone is False


def test_an_internal_balancer_goes_in_private_subnets() -> None:
    model = model_for("privatecalico")
    model.cluster.spec.api.loadBalancer.type = "Internal"
    api = built(model)["lb"]["api.privatecalico.example.com"]
    assert api.scheme == "internal"
    assert [m["subnet"].name for m in api.subnet_mappings] == ["us-test-1a.privatecalico.example.com"]


def test_without_dns_nodes_reach_kops_controller_through_the_balancer() -> None:
    tasks = built(model_for("minimal-dns-none"))
    assert tasks["lb"]["api.minimal.example.com"].cross_zone is True
    controller = tasks["tg"]["kops-controller-minimal-e-uvauf3"]
    assert (controller.port, controller.health_check["protocol"], controller.health_check["path"]) == (
        3988, "HTTPS", "/healthz")
    assert sorted(x.port for x in tasks["listener"].values()) == [443, 3988]


@pytest.fixture
def clients(aws):
    session = fresh_account(aws)
    return {name: session.client(name) for name in ("ec2", "elbv2", "autoscaling")}


def test_the_control_plane_registers_with_the_balancer(clients) -> None:
    model = model_for("minimal-dns-none", region="us-east-1")
    seed_images(clients["ec2"], model)
    DirectTarget(Executor(8, sleep=lambda _: None)).run(run_context(model), build_all(model))
    elb = clients["elbv2"]
    lb = elb.describe_load_balancers(Names=["api-minimal-example-com-gecgf7"])["LoadBalancers"][0]
    assert (lb["Scheme"], lb["Type"]) == ("internet-facing", "network")
    groups = {g["TargetGroupArn"]: g for g in elb.describe_target_groups()["TargetGroups"]}
    listeners = {x["Port"]: groups[x["DefaultActions"][0]["TargetGroupArn"]]["TargetGroupName"]
                 for x in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert listeners == {443: "tcp-minimal-example-com-5905t8", 3988: "kops-controller-minimal-e-uvauf3"}
    asgs = {g["AutoScalingGroupName"]: sorted(groups[a]["TargetGroupName"] for a in g["TargetGroupARNs"])
            for g in clients["autoscaling"].describe_auto_scaling_groups()["AutoScalingGroups"]}
    assert asgs == {"master-us-east-1a.masters.minimal.example.com": ["kops-controller-minimal-e-uvauf3",
                                                                     "tcp-minimal-example-com-5905t8"],
                    "nodes.minimal.example.com": []}

    lb_spec = model.cluster.spec.api.loadBalancer
    lb_spec.type, lb_spec.subnets = "Internal", [LoadBalancerSubnetSpec(name="us-east-1a")]
    with pytest.raises(ExecutionError, match="a load balancer's scheme cannot change"):
        DryRunTarget(Executor(8, sleep=lambda _: None)).run(run_context(model), build_all(model))
