"""kopeio networking: what create writes, IPv6 refused, the agent's add-on, and VXLAN between instances."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml
from kops.addons import collect
from kops.inference import InferenceContext, run_stage
from kops.networking import FirewallRule
from kops.plugins import collect as collect_results
from kops.plugins import hook
from kops.validation import problems
from kops_kopeio.networking import addons, firewall_rules, validate

KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35"]
PAIRS = {("ControlPlane", "ControlPlane"), ("ControlPlane", "Node"), ("Node", "ControlPlane"), ("Node", "Node")}


@pytest.mark.parametrize("name", ["kopeio", "kopeio-vxlan"])
def test_both_names_write_an_empty_kopeio_section(create_cluster, name):
    assert create_cluster("--networking", name)["spec"]["networking"] == {"kopeio": {}}


def test_completion_leaves_the_section_empty_and_cloud_routes_off(cluster_doc):
    run_stage("complete", InferenceContext(cluster=cluster_doc))
    assert cluster_doc["spec"]["networking"] == {"kopeio": {}}
    assert cluster_doc["spec"]["kubeControllerManager"]["configureCloudRoutes"] is False


def test_ipv6_only_clusters_are_refused(cluster_doc, to_cluster):
    assert [e for e in problems(to_cluster(cluster_doc), []) if e.path == "spec.networking.kopeio"] == []
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    found = [e.reason for e in problems(to_cluster(cluster_doc), []) if e.path == "spec.networking.kopeio"]
    assert found == ["kopeio networking does not support IPv6-only clusters"]


def test_manifest_is_strictly_valid_and_pins_the_agent(cluster_doc, to_cluster):
    found = [a for a in collect(to_cluster(cluster_doc)) if a.name == "networking.kope.io"]
    assert len(found) == 1 and found[0].source == "kopeio"
    assert found[0].selector == {"role.kubernetes.io/networking": "1"}
    docs = [d for d in yaml.safe_load_all(found[0].manifest) if d]
    for doc in docs:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    agent = next(d for d in docs if d["kind"] == "DaemonSet")
    assert agent["spec"]["template"]["spec"]["containers"][0]["image"] == "kopeio/networking-agent:1.0.20181028"
    assert {d["kind"] for d in docs} == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"}


def test_vxlan_between_all_instances(cluster_doc, to_cluster):
    found = [r for r in collect_results(hook().kops_firewall_rules(cluster=to_cluster(cluster_doc)))
             if r.description == "kopeio VXLAN tunnels"]
    assert {(r.from_role, r.to_role) for r in found} == PAIRS
    assert {(r.protocol, r.port_from, r.port_to) for r in found} == {("udp", 4789, 4789)}
    assert all(isinstance(r, FirewallRule) for r in found)


def test_nothing_for_other_networking(cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    cluster_doc["spec"]["nonMasqueradeCIDR"] = "::/0"
    cluster = to_cluster(cluster_doc)
    assert (validate(cluster), addons(cluster), firewall_rules(cluster)) == ([], [], [])
