"""Flannel's options: checked with field paths, kept as the user wrote them when the spec is completed."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("flannel", [{"backend": "vxlan"}, {"backend": "udp", "iptablesResyncSeconds": 30}])
def test_supported_settings_pass(problems, make_cluster, flannel):
    assert problems(make_cluster({"flannel": flannel})) == {}


@pytest.mark.parametrize(("flannel", "overrides", "path"), [
    ({}, {}, "spec.networking.flannel.backend"),
    ({"backend": "host-gw"}, {}, "spec.networking.flannel.backend"),
    ({"backend": "vxlan", "iptablesResyncSeconds": 0}, {}, "spec.networking.flannel.iptablesResyncSeconds"),
    ({"backend": "vxlan"}, {"nonMasqueradeCIDR": "::/0"}, "spec.networking.flannel"),
])
def test_problem_is_reported_at_its_path(problems, make_cluster, flannel, overrides, path):
    assert path in problems(make_cluster({"flannel": flannel}, **overrides))


def test_other_providers_are_not_checked(problems, make_cluster):
    assert problems(make_cluster({"cni": {}}, nonMasqueradeCIDR="::/0")) == {}


def test_completed_spec_keeps_the_users_flannel_section(spec_tree, complete):
    """Upstream's completed spec adds nothing to Flannel's section or to kube-proxy for it."""
    tree = complete(spec_tree({"flannel": {"backend": "udp", "iptablesResyncSeconds": 30}}))
    assert tree["spec"]["networking"] == {"flannel": {"backend": "udp", "iptablesResyncSeconds": 30}}
    assert "enabled" not in tree["spec"].get("kubeProxy", {})
