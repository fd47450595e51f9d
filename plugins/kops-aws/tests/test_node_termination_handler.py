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


def test_settings_are_written_into_the_environment(completed, addons, objects, schema_problems):
    cluster = completed(nodeTerminationHandler={
        "prometheusEnable": True, "taintNode": True, "enableOutOfServiceTaint": True,
        "excludeFromLoadBalancers": False, "podTerminationGracePeriod": 90, "deleteSQSMsgIfNodeNotFound": True,
        "managedASGTag": "example.com/nth", "webhookURL": "https://hooks.example.com/nth",
        "webhookTemplate": "{\"text\":\"{{ .EventID }} it's <here> & now\"}",
        "cpuRequest": "100m", "memoryRequest": "128Mi", "memoryLimit": "256Mi", "version": "v1.24.0"})
    addon = addons(cluster)[NAME]
    assert schema_problems(addon.manifest) == []
    deployment = _workload(objects, addon.manifest)
    assert _env(deployment).items() >= {
        "ENABLE_PROMETHEUS_SERVER": "true", "TAINT_NODE": "true", "ENABLE_OUT_OF_SERVICE_TAINT": "true",
        "EXCLUDE_FROM_LOAD_BALANCERS": "false", "POD_TERMINATION_GRACE_PERIOD": "90",
        "DELETE_SQS_MSG_IF_NODE_NOT_FOUND": "true", "MANAGED_TAG": "example.com/nth",
        "WEBHOOK_URL": "https://hooks.example.com/nth",
        "WEBHOOK_TEMPLATE": "{\"text\":\"{{ .EventID }} it's <here> & now\"}"}.items()
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"] == {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}
    assert container["image"].endswith(":v1.24.0")
    assert addon.version == "v1.24.0"


def test_unset_webhooks_are_left_out(completed, addons, objects):
    env = _env(_workload(objects, addons(completed())[NAME].manifest))
    assert not {"WEBHOOK_URL", "WEBHOOK_TEMPLATE"} & env.keys()


def test_a_highly_available_control_plane_gets_two_replicas(completed, addons, objects):
    members = [{"name": z, "instanceGroup": f"control-plane-us-east-1{z}"} for z in "abc"]
    cluster = completed(etcdClusters=[{"name": n, "etcdMembers": members} for n in ("main", "events")])
    assert _workload(objects, addons(cluster)[NAME].manifest)["spec"]["replicas"] == 2


def test_china_regions_use_their_own_domain(completed, addons, objects):
    cluster = completed(subnets=[{"name": "a", "zone": "cn-north-1a", "cidr": "172.20.32.0/19", "type": "Public"}])
    env = _env(_workload(objects, addons(cluster)[NAME].manifest))
    assert env["QUEUE_URL"] == "https://sqs.cn-north-1.amazonaws.com.cn/${aws_account_id}/addons-example-com-nth"


def test_imds_mode_is_a_daemonset_on_every_node(completed, channel, objects, schema_problems):
    cluster = completed(nodeTerminationHandler={"enableSQSTerminationDraining": False, "enableRebalanceMonitoring": True,
                                                "enableScheduledEventDraining": False},
                        containerd={"selinuxEnabled": True})
    manifest = channel(cluster)[NAME]
    assert schema_problems(manifest) == []
    found = objects(manifest)
    assert ("Deployment", HANDLER) not in found and ("PodDisruptionBudget", HANDLER) not in found
    daemonset = found["DaemonSet", HANDLER]
    pod = daemonset["spec"]["template"]["spec"]
    assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert pod["priorityClassName"] == "system-node-critical"
    assert pod["tolerations"] == [{"operator": "Exists"}]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "eks.amazonaws.com/compute-type", "operator": "NotIn", "values": ["fargate"]}]}]
    container = pod["containers"][0]
    assert container["volumeMounts"] == [{"name": "uptime", "mountPath": "/proc/uptime", "readOnly": True}]
    assert pod["volumes"] == [{"name": "uptime", "hostPath": {"path": "/proc/uptime"}}]
    assert container["securityContext"]["seLinuxOptions"] == {"type": "spc_t", "level": "s0"}
    env = _env(daemonset)
    assert env.items() >= {
        "ENABLE_SQS_TERMINATION_DRAINING": "false", "ENABLE_SPOT_INTERRUPTION_DRAINING": "true",
        "ENABLE_SCHEDULED_EVENT_DRAINING": "false", "ENABLE_REBALANCE_MONITORING": "true",
        "ENABLE_REBALANCE_DRAINING": "false", "METADATA_TRIES": "3", "UPTIME_FROM_FILE": "/proc/uptime"}.items()
    assert "QUEUE_URL" not in env and "${" not in manifest


@pytest.mark.parametrize("imds", [False, True])
def test_the_container_is_hardened(completed, addons, objects, imds):
    config = {"enableSQSTerminationDraining": False} if imds else {}
    pod = _workload(objects, addons(completed(nodeTerminationHandler=config))[NAME].manifest)["spec"]["template"]["spec"]
    assert pod["containers"][0]["securityContext"].items() >= {
        "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
        "runAsUser": 1000, "runAsGroup": 1000}.items()
    assert pod["securityContext"] == {"fsGroup": 1000}


@pytest.mark.parametrize("mode", sorted(UPSTREAM))
def test_every_setting_of_upstreams_manifest_is_written(completed, addons, objects, mode):
    """The variables, in upstream's order, so that a setting dropped here fails; values agree where upstream's
    are not specific to its test cluster."""
    config = {"enableSQSTerminationDraining": False} if mode == "imds" else {}
    ours = _env(_workload(objects, addons(completed(nodeTerminationHandler=config))[NAME].manifest))
    theirs = _env(_upstream(mode))
    assert list(ours) == [name for name in theirs if name not in IRSA_ONLY]
    differ = {name for name in ours if ours[name] != theirs[name]}
    assert differ <= {"QUEUE_URL"}


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
