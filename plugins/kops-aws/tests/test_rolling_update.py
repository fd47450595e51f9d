"""Day-2 on the emulator: a change reaches running machines. ``kops get instances`` marks the machines a change
concerns, ``kops rolling-update cluster`` replaces them (through the cloud alone, or draining nodes of a Kubernetes
API whose kubelets follow the emulator's instances), ``kops validate cluster`` judges the result, and
``kops delete instance`` replaces one machine."""

from __future__ import annotations

import json
import time

import pytest
import yaml
from cli_kit import create, kops

#: Waits and timeouts short enough for tests (machines boot and pods move in well under a second here).
WAITS = ("--post-drain-delay", "0s", "--validate-interval", "0.2s", "--validation-timeout", "60s",
         "--drain-timeout", "60s")
FAST = ("--node-interval", "0s", "--control-plane-interval", "0s", *WAITS)


def statuses(lab) -> dict[str, tuple[str, str]]:
    """``kops get instances``: each instance's group and status."""
    listed = json.loads(kops(lab, "get", "instances", lab["name"], "-o", "json").stdout)
    return {i["id"]: (i["instanceGroup"], i["status"]) for i in listed}


def group_sizes(name: str) -> dict[str, tuple[int, int, int]]:
    import boto3

    asg = boto3.client("autoscaling", region_name="us-east-1")
    return {g["AutoScalingGroupName"]: (g["MinSize"], g["DesiredCapacity"], g["MaxSize"])
            for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
            if any(t["Key"] == "KubernetesCluster" and t["Value"] == name for t in g.get("Tags", []))}


def terminated(name: str) -> list[str]:
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    pages = ec2.describe_instances(Filters=[{"Name": "tag:KubernetesCluster", "Values": [name]},
                                            {"Name": "instance-state-name", "Values": ["terminated"]}])
    return [i["InstanceId"] for r in pages["Reservations"] for i in r["Instances"]]


@pytest.fixture
def running(lab):
    """A cluster created and applied on the emulator (one control plane, a node in each of two zones)."""
    create(lab)
    kops(lab, "update", "cluster", lab["name"], "--yes")
    yield lab
    kops(lab, "delete", "cluster", lab["name"], "--yes", check=False)


def test_a_kubernetes_version_change_replaces_every_machine_through_the_cloud(running):
    lab = running
    before = statuses(lab)
    assert len(before) == 3 and {s for _, s in before.values()} == {"UpToDate"}
    sizes = group_sizes(lab["name"])
    spec = yaml.safe_load(kops(lab, "get", "cluster", lab["name"], "-o", "yaml").stdout)
    major, minor, patch = spec["spec"]["kubernetesVersion"].lstrip("v").split(".")
    other = f"{major}.{minor}.{int(patch) - 1}"  # a version the hash catalog has
    kops(lab, "edit", "cluster", lab["name"], "--set", f"spec.kubernetesVersion={other}")
    kops(lab, "update", "cluster", lab["name"], "--yes")
    # What machines boot with (their nodeup configuration) changed: every one of them needs replacing.
    assert statuses(lab) == {i: (g, "NeedsUpdate") for i, (g, _) in before.items()}
    shown = kops(lab, "rolling-update", "cluster", lab["name"]).stdout
    assert "NEEDUPDATE" in shown and "Must specify --yes" in shown
    assert statuses(lab) == {i: (g, "NeedsUpdate") for i, (g, _) in before.items()}  # nothing replaced yet
    # A run stopped after its surge left one machine detached (its replacement launched): the next run ends it
    # without detaching anything again.
    import boto3

    asg = boto3.client("autoscaling", region_name="us-east-1")
    surged = next(i for i, (g, _) in before.items() if g.startswith("nodes-"))
    (group,) = [g["AutoScalingGroupName"] for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]
                if any(i["InstanceId"] == surged for i in g["Instances"])]
    asg.detach_instances(InstanceIds=[surged], AutoScalingGroupName=group, ShouldDecrementDesiredCapacity=False)
    assert len(statuses(lab)) == len(before) + 1
    kops(lab, "rolling-update", "cluster", lab["name"], "--yes", "--cloudonly", *FAST)
    after = statuses(lab)
    assert not set(after) & set(before)
    assert sorted(g for g, _ in after.values()) == sorted(g for g, _ in before.values())
    assert {s for _, s in after.values()} == {"UpToDate"}
    assert group_sizes(lab["name"]) == sizes
    assert sorted(terminated(lab["name"])) == sorted(before)
    assert "No changes" in kops(lab, "update", "cluster", lab["name"]).stdout
    # Nothing left to do: a second run replaces nothing.
    assert "No rolling-update required" in kops(lab, "rolling-update", "cluster", lab["name"], "--yes",
                                                "--cloudonly").stdout
    assert statuses(lab) == after


def test_rolling_update_refuses_unknown_groups_and_roles(running):
    lab = running
    p = kops(lab, "rolling-update", "cluster", lab["name"], "--instance-group", "nodes-nowhere", check=False)
    assert p.returncode == 1 and p.stderr.strip().splitlines()[-1].startswith("Error: --instance-group: ")
    p = kops(lab, "rolling-update", "cluster", lab["name"], "--instance-group-roles", "worker", check=False)
    assert p.returncode == 1 and "--instance-group-roles" in p.stderr and "Traceback" not in p.stderr


@pytest.fixture
def kube(running, tmp_path):
    """The cluster's Kubernetes API: a fake server whose kubelets follow the emulator's instances, with workloads
    (a Deployment guarded by a PodDisruptionBudget, a DaemonSet) and a kubeconfig naming it."""
    import boto3
    from kops.testing.kube_api import FakeKubeAPI, Kubelets
    from kops_aws.testing.kubelets import instances
    from kubernetes import client

    lab = running
    ec2 = boto3.client("ec2", region_name="us-east-1")
    with FakeKubeAPI(pod_start_delay=0.2) as api, Kubelets(api, instances(lab["name"], ec2), interval=0.1,
                                                           node_name=node_name):
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump(api.kubeconfig(lab["name"])))
        lab["env"]["KUBECONFIG"] = str(kubeconfig)
        apps = client.AppsV1Api(api.api_client())
        apps.create_namespaced_daemon_set("kube-system", _workload("DaemonSet", "cni", "kube-system",
                                                                   critical=True))
        apps.create_namespaced_deployment("default", _workload("Deployment", "web", "default", replicas=3))
        client.PolicyV1Api(api.api_client()).create_namespaced_pod_disruption_budget("default", {
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}})
        _wait(lambda: len(api.select("v1", "Node")) == 3 and all(
            p["status"].get("phase") == "Running" for p in api.select("v1", "Pod")))
        yield api


def node_name(instance: dict) -> str:
    """Nodes are named as on AWS, after their private address."""
    return f"ip-{instance['internalIP'].replace('.', '-')}.ec2.internal"


def node_names(lab) -> dict[str, str]:
    listed = json.loads(kops(lab, "get", "instances", lab["name"], "-o", "json", "--use-kubeconfig").stdout)
    return {i["id"]: i["nodeName"] for i in listed}


def _workload(kind: str, name: str, namespace: str, replicas: int = 0, critical: bool = False) -> dict:
    pod = {"metadata": {"labels": {"app": name}},
           "spec": {"containers": [{"name": name, "image": f"registry.k8s.io/{name}:1"}]}}
    if critical:  # a node agent: on every node, whatever its taints (a cordoned one too)
        pod["spec"].update(priorityClassName="system-node-critical", tolerations=[{"operator": "Exists"}])
    spec = {"selector": {"matchLabels": {"app": name}}, "template": pod}
    if kind == "Deployment":
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": namespace},
            "spec": spec}


def _wait(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_validate_judges_nodes_and_critical_pods(running, kube):
    lab = running
    p = kops(lab, "validate", "cluster", lab["name"], "--use-kubeconfig", "-o", "json")
    result = json.loads(p.stdout)
    assert result["failures"] == [] and len(result["nodes"]) == 3
    assert {n["role"] for n in result["nodes"]} == {"control-plane", "node"}
    (pod,) = [p for p in kube.select("v1", "Pod", "kube-system") if p["metadata"]["name"].startswith("cni-")][:1]
    kube.fail_pod("kube-system", pod["metadata"]["name"])
    p = kops(lab, "validate", "cluster", lab["name"], "--use-kubeconfig", check=False)
    assert p.returncode == 2, p.stderr
    assert pod["metadata"]["name"] in p.stdout and "Validation Failed" in p.stdout


def test_rolling_update_drains_every_old_node_within_its_budget(running, kube):
    lab = running
    kops(lab, "edit", "ig", "--name", lab["name"], "nodes-us-east-1a", "--set", "spec.machineType=t3.large")
    kops(lab, "edit", "ig", "--name", lab["name"], "nodes-us-east-1b", "--set", "spec.machineType=t3.large")
    # (the kubeconfig names the stand-in: the update must not point its context at the cluster's real name)
    kops(lab, "update", "cluster", lab["name"], "--yes", "--create-kube-config=false")
    before, names = statuses(lab), node_names(lab)
    old = {names[i] for i, (g, s) in before.items() if s == "NeedsUpdate"}
    assert len(old) == 2 and all(n.startswith("ip-") for n in old)
    kops(lab, "rolling-update", "cluster", lab["name"], "--yes", "--use-kubeconfig", *FAST)
    after = statuses(lab)
    assert {s for _, s in after.values()} == {"UpToDate"} and not {i for i, n in names.items() if n in old} & set(after)
    history = kube.history
    for instance in old:
        (removed,) = history.of("node-removed", name=instance)
        (cordoned,) = history.of("cordoned", name=instance)
        assert cordoned.seq < removed.seq
        # Every pod the drain evicts left before its node did; DaemonSet pods were never evicted.
        evicted = history.of("evicted", node=instance)
        assert evicted and all(e.seq < removed.seq for e in evicted)
        assert not [e for e in evicted if e.owner.startswith("DaemonSet/")]
    assert not history.of("budget-violated")
    assert not [r for r in kube.requests if r.method == "DELETE" and "/pods/" in r.path]
    assert "is ready" in kops(lab, "validate", "cluster", lab["name"], "--use-kubeconfig").stdout


def test_delete_instance_replaces_one_machine_by_node_name(running, kube):
    lab = running
    before = statuses(lab)
    victim = next(i for i, (g, _) in before.items() if g == "nodes-us-east-1a")
    node = node_names(lab)[victim]
    p = kops(lab, "delete", "instance", node, "--name", lab["name"], "--use-kubeconfig")
    assert "Must specify --yes" in p.stdout and victim in p.stdout and statuses(lab) == before
    kops(lab, "delete", "instance", node, "--name", lab["name"], "--yes", "--use-kubeconfig", *WAITS)
    after = statuses(lab)
    assert victim not in after and len(after) == len(before)
    assert sorted(g for g, _ in after.values()) == sorted(g for g, _ in before.values())
    assert kube.history.of("cordoned", name=node)
    p = kops(lab, "delete", "instance", "i-0000000000000000", "--name", lab["name"], "--yes", "--cloudonly",
             check=False)
    assert p.returncode == 1 and "no machine with that ID" in p.stderr


def test_reconcile_upgrades_the_control_plane_before_the_nodes(running, kube):
    lab = running
    spec = yaml.safe_load(kops(lab, "get", "cluster", lab["name"], "-o", "yaml").stdout)
    major, minor, patch = spec["spec"]["kubernetesVersion"].lstrip("v").split(".")
    kops(lab, "edit", "cluster", lab["name"], "--set", f"spec.kubernetesVersion={major}.{minor}.{int(patch) - 1}")
    before, names = statuses(lab), node_names(lab)
    plan = kops(lab, "reconcile", "cluster", lab["name"], "--use-kubeconfig").stdout
    assert "Must specify --yes" in plan and statuses(lab) == before  # a plan, nothing changed
    p = kops(lab, "reconcile", "cluster", lab["name"], "--yes", "--use-kubeconfig", *FAST)
    assert p.stdout.index("Performing rolling-update for control plane") < p.stdout.index("Updating node configuration")
    after = statuses(lab)
    assert {s for _, s in after.values()} == {"UpToDate"} and not set(after) & set(before)
    # The control plane's node was gone before any worker was cordoned (the skew policy).
    (control_plane,) = [names[i] for i, (g, _) in before.items() if g.startswith("control-plane")]
    workers = [names[i] for i, (g, _) in before.items() if g.startswith("nodes")]
    (gone,) = kube.history.of("node-removed", name=control_plane)
    assert all(gone.seq < e.seq for w in workers for e in kube.history.of("cordoned", name=w))
    assert "No changes" in kops(lab, "update", "cluster", lab["name"]).stdout
