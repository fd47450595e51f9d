"""``node-termination-handler.aws``: on by default on AWS, in queue mode a Deployment on the control plane reading
the queue kops-aws creates (the account left as ``${aws_account_id}``), in IMDS mode a DaemonSet on every node;
valid for every supported Kubernetes, configured from the completed ``spec.nodeTerminationHandler``, and carrying
every setting upstream's manifest carries."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

NAME = "node-termination-handler.aws"
HANDLER = "aws-node-termination-handler"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/${aws_account_id}/addons-example-com-nth"
UPDATE_CLUSTER = Path(os.environ.get(
    "KOPS_UPSTREAM_FIXTURES", Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "kops",
)) / "update_cluster"
#: Upstream's manifests for the handler without IRSA: queue mode (minimal-1.34) and IMDS mode.
UPSTREAM = {"queue": ("minimal-1.34", "Deployment"), "imds": ("nth-imds-processor", "DaemonSet")}
#: Variables only upstream's IRSA variant sets (this project's handler uses the control plane's role).
IRSA_ONLY = {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"}


def _workload(objects, manifest: str) -> dict:
    found = [o for (kind, _), o in objects(manifest).items() if kind in ("Deployment", "DaemonSet")]
    assert len(found) == 1, found
    return found[0]


def _env(workload: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in workload["spec"]["template"]["spec"]["containers"][0]["env"]}


def _upstream(mode: str) -> dict:
    case, kind = UPDATE_CLUSTER / UPSTREAM[mode][0], UPSTREAM[mode][1]
    path = next((case / "data").glob("*node-termination-handler*content"), None)
    if path is None:
        pytest.skip(f"upstream's fixtures are not in {UPDATE_CLUSTER}")
    return next(d for d in yaml.safe_load_all(path.read_text()) if d and d["kind"] == kind)


def test_default_aws_cluster_runs_queue_mode(completed, channel, objects, schema_problems):
    cluster = completed()
    manifest = channel(cluster)[NAME]
    assert schema_problems(manifest) == []
    kinds = {kind for kind, _ in objects(manifest)}
    assert kinds == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Deployment", "PodDisruptionBudget"}
    deployment = objects(manifest)["Deployment", HANDLER]
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["metadata"]["namespace"] == "kube-system"
    assert deployment["spec"]["replicas"] == 1
    assert pod["hostNetwork"] is True
    assert pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]}]
    assert {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"} in pod["tolerations"]
    env = _env(deployment)
    assert env["QUEUE_URL"] == QUEUE_URL
    assert env["ENABLE_SQS_TERMINATION_DRAINING"] == "true"
    assert env["MANAGED_TAG"] == cluster.spec.nodeTerminationHandler.managedASGTag
    container = pod["containers"][0]
    assert container["image"] == f"public.ecr.aws/aws-ec2/aws-node-termination-handler:" \
                                 f"{cluster.spec.nodeTerminationHandler.version}"
    assert container["resources"] == {"requests": {"cpu": "50m", "memory": "64Mi"}}
    pdb = objects(manifest)["PodDisruptionBudget", HANDLER]
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["selector"]["matchLabels"].items() <= deployment["spec"]["template"]["metadata"][
        "labels"].items()


def test_disabled_is_absent(completed, channel):
    assert NAME not in channel(completed(nodeTerminationHandler={"enabled": False}))


def test_karpenter_clusters_go_without(completed, channel):
    assert NAME not in channel(completed(karpenter={"enabled": True}))


@pytest.mark.parametrize(("config", "spec", "path"), [
    ({"enabled": True}, {"cloudProvider": "gce"}, "spec.nodeTerminationHandler.enabled"),
    ({}, {"karpenter": {"enabled": True}}, "spec.nodeTerminationHandler"),
    ({"enableSpotInterruptionDraining": False}, {}, "spec.nodeTerminationHandler.enableSpotInterruptionDraining"),
    ({"enableRebalanceMonitoring": True}, {}, "spec.nodeTerminationHandler.enableRebalanceMonitoring"),
])
def test_invalid_settings_name_their_field(tree, problems, config, spec, path):
    from kops import api

    assert path in problems(api.from_dict(tree(nodeTerminationHandler=config, **spec)))


@pytest.mark.parametrize("config", [
    {}, {"enabled": False, "enableSpotInterruptionDraining": False},
    {"enableSQSTerminationDraining": False, "enableSpotInterruptionDraining": False, "enableRebalanceMonitoring": True},
    {"enableRebalanceMonitoring": True, "enableRebalanceDraining": True},
])
def test_valid_settings_pass(tree, problems, completed, config):
    from kops import api

    assert problems(api.from_dict(tree(nodeTerminationHandler=config))) == {}
    assert problems(completed(nodeTerminationHandler=config)) == {}


def test_the_queue_url_names_the_queue_kops_aws_creates(kops, tmp_path):
    cluster = "queue.example.com"
    created = kops("create", "cluster", cluster, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private")
    assert created.returncode == 0, created.stderr
    out = tmp_path / "tf"
    updated = kops("update", "cluster", cluster, "--target", "terraform", "--out", str(out), "--yes")
    assert updated.returncode == 0, updated.stderr
    queues = re.findall(r'resource "aws_sqs_queue" "[^"]+" \{.*?\n\s*name\s*=\s*"([^"]+)"',
                        (out / "kubernetes.tf").read_text(), re.S)
    assert queues == ["queue-example-com-nth"]
    # The channel is in the local state store; the account is filled in there or left as the placeholder.
    manifests = sorted((tmp_path / "store" / cluster / "addons" / NAME).glob("*.yaml"))
    assert len(manifests) == 1, manifests
    deployment = next(d for d in yaml.safe_load_all(manifests[0].read_text()) if d and d["kind"] == "Deployment")
    assert re.fullmatch(r"https://sqs\.us-east-1\.amazonaws\.com/(\$\{aws_account_id\}|\d{12})/queue-example-com-nth",
                        _env(deployment)["QUEUE_URL"])
