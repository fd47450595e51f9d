"""The completed spec names Calico's encapsulation as upstream's does, and never overrides the user."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, {"encapsulationMode": "ipip"}),
    ({"nonMasqueradeCIDR": "::/0"}, {"encapsulationMode": "none"}),
    ({"cloudProvider": "azure"}, {"encapsulationMode": "vxlan", "vxlanMode": "Always"}),
])
def test_encapsulation_default(spec_tree, complete, overrides, expected):
    assert complete(spec_tree(**overrides))["spec"]["networking"]["calico"] == expected


def test_user_choice_is_kept(spec_tree, complete):
    tree = complete(spec_tree({"calico": {"encapsulationMode": "vxlan", "mtu": 8912}}))
    assert tree["spec"]["networking"]["calico"] == {"encapsulationMode": "vxlan", "mtu": 8912}


def test_azure_user_choice_of_ipip_gets_no_vxlan_mode(spec_tree, complete):
    tree = complete(spec_tree({"calico": {"encapsulationMode": "ipip"}}, cloudProvider="azure"))
    assert tree["spec"]["networking"]["calico"] == {"encapsulationMode": "ipip"}


def test_other_providers_are_left_alone(spec_tree, complete):
    tree = complete(spec_tree({"cni": {}}))
    assert tree["spec"]["networking"] == {"cni": {}}
    assert "enabled" not in tree["spec"].get("kubeProxy", {})


def test_bpf_rule_does_not_touch_kube_proxy_after_creation(spec_tree):
    """Outside ``kops create cluster`` a BPF cluster with kube-proxy on is for validation to report."""
    from kops.inference import InferenceContext, run_stage

    tree = spec_tree({"calico": {"bpfEnabled": True}})
    run_stage("assign", InferenceContext(cluster=tree))
    assert "kubeProxy" not in tree["spec"]
