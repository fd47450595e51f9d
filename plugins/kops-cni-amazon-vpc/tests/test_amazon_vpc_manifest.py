"""The networking.amazon-vpc-routed-eni add-on: valid objects, pinned images, the CNI's environment."""

from __future__ import annotations

import json

import kubernetes_validate
import pytest
import yaml

KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"]
REGISTRY = "602401143452.dkr.ecr.us-west-2.amazonaws.com"


def addon(plugin, to_cluster, doc):
    found = plugin.kops_addons(cluster=to_cluster(doc))
    assert [a.name for a in found] == ["networking.amazon-vpc-routed-eni"]
    return found[0]


def daemonset(plugin, to_cluster, doc) -> dict:
    docs = [d for d in yaml.safe_load_all(addon(plugin, to_cluster, doc).manifest) if d]
    return next(d for d in docs if d["kind"] == "DaemonSet")


def cni_env(plugin, to_cluster, doc) -> dict[str, str]:
    container = daemonset(plugin, to_cluster, doc)["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container["env"]}


@pytest.mark.parametrize("spec", [
    {},
    {"containerd": {"selinuxEnabled": True},
     "networking": {"amazonvpc": {"env": [{"name": "ANNOTATE_POD_IP", "value": "true"}]}}},
], ids=["default", "selinux and pod annotations"])
def test_manifest_is_strictly_valid_for_supported_kubernetes(plugin, cluster_doc, to_cluster, spec):
    cluster_doc["spec"].update(spec)
    docs = [d for d in yaml.safe_load_all(addon(plugin, to_cluster, cluster_doc).manifest) if d]
    for doc in docs:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    assert {d["kind"] for d in docs} == {"CustomResourceDefinition", "ServiceAccount", "ConfigMap", "ClusterRole",
                                         "ClusterRoleBinding", "DaemonSet"}


def test_addon_identity(plugin, cluster_doc, to_cluster):
    found = addon(plugin, to_cluster, cluster_doc)
    assert found.version.startswith("1.23.0-")
    assert found.selector == {"role.kubernetes.io/networking": "1"}


def test_images_are_pinned_unless_the_spec_names_them(plugin, cluster_doc, to_cluster):
    pod = daemonset(plugin, to_cluster, cluster_doc)["spec"]["template"]["spec"]
    assert [c["image"] for c in pod["initContainers"] + pod["containers"]] == [
        f"{REGISTRY}/amazon-k8s-cni-init:v1.23.0", f"{REGISTRY}/amazon-k8s-cni:v1.23.0",
        f"{REGISTRY}/amazon/aws-network-policy-agent:v1.4.1"]

    cluster_doc["spec"]["networking"]["amazonvpc"] = {"imageName": "example.com/cni:1", "initImageName": "example.com/init:1",
                                                      "networkPolicyAgentImage": "example.com/agent:1"}
    pod = daemonset(plugin, to_cluster, cluster_doc)["spec"]["template"]["spec"]
    assert [c["image"] for c in pod["initContainers"] + pod["containers"]] == [
        "example.com/init:1", "example.com/cni:1", "example.com/agent:1"]


def test_environment_defaults_user_values_and_cluster_tags(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["amazonvpc"] = {"env": [{"name": "WARM_ENI_TARGET", "value": "3"},
                                                              {"name": "WARM_IP_TARGET", "value": "10"}]}
    env = cni_env(plugin, to_cluster, cluster_doc)
    assert (env["WARM_ENI_TARGET"], env["WARM_IP_TARGET"], env["AWS_VPC_ENI_MTU"]) == ("3", "10", "9001")
    assert (env["ENABLE_IPv4"], env["ENABLE_IPv6"], env["ENABLE_PREFIX_DELEGATION"]) == ("true", "false", "false")
    assert json.loads(env["ADDITIONAL_ENI_TAGS"]) == {"KubernetesCluster": "vpc.example.com",
                                                      "kubernetes.io/cluster/vpc.example.com": "owned"}
    assert (env["CLUSTER_NAME"], env["VPC_CNI_VERSION"]) == ("vpc.example.com", "v1.23.0")


def test_pods_are_patched_only_when_their_ip_is_annotated(plugin, cluster_doc, to_cluster):
    def pod_verbs() -> list[str]:
        docs = yaml.safe_load_all(addon(plugin, to_cluster, cluster_doc).manifest)
        role = next(d for d in docs if d and d["kind"] == "ClusterRole")
        return next(r["verbs"] for r in role["rules"] if r.get("resources") == ["pods"])

    assert "patch" not in pod_verbs()
    cluster_doc["spec"]["networking"]["amazonvpc"] = {"env": [{"name": "ANNOTATE_POD_IP", "value": "true"}]}
    assert "patch" in pod_verbs()


def test_no_addon_for_other_networking(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert plugin.kops_addons(cluster=to_cluster(cluster_doc)) == []
