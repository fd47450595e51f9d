"""The node termination handler's queue mode: upstream's events and queue, and the account in the policy."""

from __future__ import annotations

import json

import pytest
from kops.engine import Executor
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops_aws.model import AWSModel, build_all
from kops_aws.model.nth import BUILDER
from kops_aws.tasks.autoscaling_lifecycle_hook import AutoscalingLifecycleHook
from kops_aws.tasks.event_rule import EventRule
from kops_aws.tasks.event_target import EventTarget
from kops_aws.tasks.sqs_queue import SQSQueue
from upstream_cases import (
    case_dir,
    fresh_account,
    model_for,
    resources,
    run_context,
    seed_images,
    terraform_files,
)


def nth_tasks(model):
    """The handler's tasks; its lifecycle hooks need the Auto Scaling groups, so the whole model is built."""
    kinds = (SQSQueue, EventRule, EventTarget, AutoscalingLifecycleHook)
    return [t for t in build_all(model) if isinstance(t, kinds) and "warmpool" not in t.name]


def test_queue_rules_targets_and_hooks_are_upstreams() -> None:
    model = model_for("minimal-1.35")
    tasks = nth_tasks(model)
    rules = {t.name: t.event_pattern for t in tasks if isinstance(t, EventRule)}
    data = case_dir("minimal-1.35") / "data"
    assert rules == {p.name.removeprefix("aws_cloudwatch_event_rule_").removesuffix("_event_pattern"):
                     p.read_text().rstrip("\n") for p in data.glob("aws_cloudwatch_event_rule_*")}
    targets = {t.name: (t.rule.name, t.queue.name) for t in tasks if isinstance(t, EventTarget)}
    assert targets["minimal.example.com-SpotInterruption-Target"] == (
        "minimal.example.com-SpotInterruption", "minimal-example-com-nth")
    queue = next(t for t in tasks if isinstance(t, SQSQueue))
    assert queue.message_retention_seconds == 300
    upstream_policy = (data / "aws_sqs_queue_minimal-example-com-nth_policy").read_text().rstrip("\n")
    assert queue.policy.replace("${aws_account_id}", "123456789012").replace("arn:aws:", "arn:aws-test:") == (
        upstream_policy.replace("us-test-1", model.cloud.region_for_zone(model.cluster.spec.subnets[0].zone)))
    hooks = {t.name: (t.autoscaling_group.name, t.default_result, t.heartbeat_timeout, t.lifecycle_transition)
             for t in tasks if isinstance(t, AutoscalingLifecycleHook)}
    assert hooks == {
        "master-us-test-1a-NTHLifecycleHook": ("master-us-test-1a.masters.minimal.example.com", "CONTINUE", 300,
                                               "autoscaling:EC2_INSTANCE_TERMINATING"),
        "nodes-NTHLifecycleHook": ("nodes.minimal.example.com", "CONTINUE", 300,
                                   "autoscaling:EC2_INSTANCE_TERMINATING"),
    }


def test_rebalance_draining_adds_a_rule_and_imds_mode_needs_nothing() -> None:
    model = model_for("minimal-1.35")
    model.cluster.spec.nodeTerminationHandler.enableRebalanceDraining = True
    rules = sorted(t.name for t in nth_tasks(model) if isinstance(t, EventRule))
    assert "minimal.example.com-RebalanceRecommendation" in rules and len(rules) == 5
    assert BUILDER.build(AWSModel(model_for("nth-imds-processor"))) == []


def test_terraform_fills_in_the_account() -> None:
    files = terraform_files(model_for("minimal-1.35", target="terraform"))
    text = files["kubernetes.tf"].decode()
    queue = resources(text)["aws_sqs_queue", "minimal-example-com-nth"]
    assert queue["policy"] == ('${templatefile("${path.module}/data/aws_sqs_queue_minimal-example-com-nth_policy", '
                               '{aws_account_id = data.aws_caller_identity.current.account_id})}')
    assert 'data "aws_caller_identity" "current"' in text
    assert queue["sqs_managed_sse_enabled"] is True
    policy = json.loads(files["data/aws_sqs_queue_minimal-example-com-nth_policy"])
    assert policy["Statement"][0]["Resource"] == "arn:aws:sqs:us-test-1:${aws_account_id}:minimal-example-com-nth"


@pytest.fixture
def clients(aws):
    session = fresh_account(aws)
    return {name: session.client(name) for name in ("ec2", "sqs", "events", "sts")}


def test_applied_queue_policy_names_the_real_queue(clients) -> None:
    model = model_for("minimal-1.35", region="us-east-1")
    seed_images(clients["ec2"], model)
    DirectTarget(Executor(8, sleep=lambda _: None)).run(run_context(model), build_all(model))
    sqs, events = clients["sqs"], clients["events"]
    url = sqs.get_queue_url(QueueName="minimal-example-com-nth")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    policy = json.loads(attrs["Policy"])
    assert policy["Statement"][0]["Resource"] == attrs["QueueArn"]
    assert attrs["QueueArn"].split(":")[4] == clients["sts"].get_caller_identity()["Account"]
    assert attrs["SqsManagedSseEnabled"] == "true"
    rules = events.list_rules(NamePrefix="minimal.example.com-")["Rules"]
    assert len(rules) == 4
    for rule in rules:
        assert [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]] == [attrs["QueueArn"]]
    assert not DryRunTarget(Executor(8, sleep=lambda _: None)).run(run_context(model), build_all(model)).has_changes
