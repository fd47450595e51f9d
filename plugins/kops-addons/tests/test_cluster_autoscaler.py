"""``cluster-autoscaler.addons.k8s.io``: in the channel only when enabled, valid for every supported Kubernetes,
configured from the completed ``spec.clusterAutoscaler``, and finding the node groups kops-aws tags for it."""

from __future__ import annotations

import re

import pytest
import yaml

NAME = "cluster-autoscaler.addons.k8s.io"


def _container(objects, addon) -> dict:
    return objects(addon.manifest)["Deployment", "cluster-autoscaler"]["spec"]["template"]["spec"]["containers"][0]


def test_enabled_is_in_the_channel_and_valid(completed, channel, schema_problems):
    cluster = completed(clusterAutoscaler={"enabled": True, "expander": "priority",
                                           "customPriorityExpanderConfig": {"10": [".*-spot-.*"], "1": [".*"]},
                                           "podAnnotations": {"example.com/team": "platform"}})
    assert schema_problems(channel(cluster)[NAME]) == []


@pytest.mark.parametrize("config", [None, {"enabled": False}, {"expander": "random"}])
def test_disabled_is_absent(completed, channel, config):
    assert NAME not in channel(completed(**({"clusterAutoscaler": config} if config is not None else {})))


def test_flags_follow_the_completed_spec(completed, addons, objects):
    cluster = completed(clusterAutoscaler={"enabled": True, "balanceSimilarNodeGroups": True,
                                           "scaleDownUtilizationThreshold": "0.7", "cordonNodeBeforeTerminating": False})
    addon = addons(cluster)[NAME]
    container = _container(objects, addon)
    args = container["command"]
    assert {"--balance-similar-node-groups=true", "--scale-down-utilization-threshold=0.7", "--expander=random",
            "--cloud-provider=aws", "--skip-nodes-with-local-storage=true", "--cordon-node-before-terminating=false",
            "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,"
            "k8s.io/cluster-autoscaler/addons.example.com"} <= set(args)
    assert container["image"] == cluster.spec.clusterAutoscaler.image
    assert addon.version == cluster.spec.clusterAutoscaler.image.rpartition(":")[2]
    assert container["env"] == [{"name": "AWS_REGION", "value": "us-east-1"}]


def test_user_image_and_annotations_are_kept(completed, addons, objects):
    cluster = completed(clusterAutoscaler={"enabled": True, "image": "example.com/ca:v9",
                                           "podAnnotations": {"example.com/team": "platform"}})
    deployment = objects(addons(cluster)[NAME].manifest)["Deployment", "cluster-autoscaler"]
    assert _container(objects, addons(cluster)[NAME])["image"] == "example.com/ca:v9"
    assert deployment["spec"]["template"]["metadata"]["annotations"]["example.com/team"] == "platform"


def test_priority_expander_gets_its_config_map(completed, addons, objects):
    cluster = completed(clusterAutoscaler={"enabled": True, "expander": "priority",
                                           "customPriorityExpanderConfig": {"10": [".*-spot-.*"], "50": ["gpu-.*"]}})
    config_map = objects(addons(cluster)[NAME].manifest)["ConfigMap", "cluster-autoscaler-priority-expander"]
    assert yaml.safe_load(config_map["data"]["priorities"]) == {50: ["gpu-.*"], 10: [".*-spot-.*"]}


def test_priority_expander_ranks_groups_by_their_autoscale_priority(tree, addons, objects):
    from kops import api
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops_aws.cloud import AWSCloud

    def group(name, **spec):
        return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup", "metadata": {"name": name},
                "spec": {"role": "Node", "subnets": ["us-east-1a"], **spec}}

    groups = [group("spot", autoscalePriority=100), group("nodes"), group("fixed", autoscale=False)]
    doc = tree(clusterAutoscaler={"enabled": True, "expander": "priority"})
    cluster = api.from_dict(complete_cluster(doc, groups, AWSCloud(), load_channel("stable")))
    config_map = objects(addons(cluster)[NAME].manifest)["ConfigMap", "cluster-autoscaler-priority-expander"]
    assert yaml.safe_load(config_map["data"]["priorities"]) == {
        100: ["spot.addons.example.com"], 0: ["nodes.addons.example.com"]}


@pytest.mark.parametrize(("config", "cloud", "path"), [
    ({"expander": "cheapest"}, "aws", "spec.clusterAutoscaler.expander"),
    ({"expander": "price"}, "aws", "spec.clusterAutoscaler.expander"),
    ({"expander": "priority", "customPriorityExpanderConfig": {"high": ["a"]}}, "aws",
     "spec.clusterAutoscaler.customPriorityExpanderConfig.high"),
    ({}, "openstack", "spec.clusterAutoscaler"),
])
def test_invalid_settings_name_their_field(tree, problems, config, cloud, path):
    from kops import api

    doc = tree(clusterAutoscaler={"enabled": True, **config}, cloudProvider=cloud)
    assert path in problems(api.from_dict(doc))


def test_node_groups_are_tagged_for_discovery(kops, tmp_path):
    cluster = "tags.example.com"
    created = kops("create", "cluster", cluster, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private")
    assert created.returncode == 0, created.stderr
    out = tmp_path / "tf"

    def group_tags() -> dict[str, set[str]]:
        updated = kops("update", "cluster", cluster, "--target", "terraform", "--out", str(out), "--yes")
        assert updated.returncode == 0, updated.stderr
        text = (out / "kubernetes.tf").read_text()
        found = {}
        for block in re.findall(r'resource "aws_autoscaling_group" "([^"]+)" \{(.*?)\n\}', text, re.S):
            found[block[0]] = set(re.findall(r'key += "(k8s\.io/cluster-autoscaler/[^"]+)"', block[1]))
        return found

    assert not any("k8s.io/cluster-autoscaler/enabled" in tags for tags in group_tags().values())
    assert kops("edit", "cluster", cluster, "--set", "spec.clusterAutoscaler.enabled=true").returncode == 0
    tagged = {name for name, tags in group_tags().items()
              if {"k8s.io/cluster-autoscaler/enabled", f"k8s.io/cluster-autoscaler/{cluster}"} <= tags}
    assert tagged == {f"nodes-us-east-1a-{cluster.replace('.', '-')}"}
