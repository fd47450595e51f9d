"""The networking.kindnet add-on: valid objects, the pinned image, and kindnetd's flags from the spec."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml

KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"]


def objects(plugin, to_cluster, doc) -> list[dict]:
    found = plugin.kops_addons(cluster=to_cluster(doc))
    assert [a.name for a in found] == ["networking.kindnet"]
    assert found[0].selector == {"role.kubernetes.io/networking": "1"}
    return [d for d in yaml.safe_load_all(found[0].manifest) if d]


def container(docs: list[dict]) -> dict:
    return next(d for d in docs if d["kind"] == "DaemonSet")["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("kindnet", [{}, {"adminNetworkPolicies": True, "baselineAdminNetworkPolicies": True}],
                         ids=["default", "admin network policies"])
def test_manifest_is_strictly_valid_for_supported_kubernetes(plugin, cluster_doc, to_cluster, kindnet):
    cluster_doc["spec"]["networking"]["kindnet"] = kindnet
    for doc in objects(plugin, to_cluster, cluster_doc):
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)


def test_image_is_pinned_and_follows_the_version(plugin, cluster_doc, to_cluster):
    assert container(objects(plugin, to_cluster, cluster_doc))["image"] == "registry.k8s.io/networking/kindnet:v1.0.1"
    cluster_doc["spec"]["networking"]["kindnet"] = {"version": "v1.0.0"}
    assert container(objects(plugin, to_cluster, cluster_doc))["image"] == "registry.k8s.io/networking/kindnet:v1.0.0"


def test_flags_follow_the_spec(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"].update(podCIDR="100.96.0.0/11", serviceClusterIPRange="100.64.0.0/13")
    command = container(objects(plugin, to_cluster, cluster_doc))["command"]
    assert command == ["/bin/kindnetd", "--hostname-override=$(NODE_NAME)", "--v=2", "--dns-caching=false",
                       "--nat64=false", "--fastpath-threshold=0", "--masquerading=true",
                       "--no-masquerade-cidr=172.20.0.0/16,100.96.0.0/11,100.64.0.0/13"]

    cluster_doc["spec"]["networking"]["kindnet"] = {"networkPolicies": False, "dnsCaching": True,
                                                    "masquerade": {"enabled": False}}
    command = container(objects(plugin, to_cluster, cluster_doc))["command"]
    assert {"--network-policy=false", "--dns-caching=true", "--masquerading=false"} <= set(command)
    assert not [c for c in command if c.startswith("--no-masquerade-cidr")]


def test_admin_policy_crds_only_when_enabled(plugin, cluster_doc, to_cluster):
    def crds() -> set[str]:
        return {d["metadata"]["name"] for d in objects(plugin, to_cluster, cluster_doc) if d["kind"] == "CustomResourceDefinition"}

    assert crds() == set()
    cluster_doc["spec"]["networking"]["kindnet"] = {"adminNetworkPolicies": True}
    assert crds() == {"adminnetworkpolicies.policy.networking.k8s.io"}
    assert "--admin-network-policy=true" in container(objects(plugin, to_cluster, cluster_doc))["command"]


def test_no_addon_for_other_networking(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert plugin.kops_addons(cluster=to_cluster(cluster_doc)) == []
