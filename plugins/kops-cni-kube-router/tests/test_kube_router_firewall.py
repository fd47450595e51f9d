"""kube-router's traffic between machines, in cloud-neutral firewall rules."""

from __future__ import annotations


def _rules(cluster):
    from kops import plugins

    return plugins.collect(plugins.hook().kops_firewall_rules(cluster=cluster))


def test_bgp_and_ip_in_ip_between_all_roles(make_cluster):
    rules = _rules(make_cluster())
    assert {(r.protocol, r.port_from, r.port_to) for r in rules} == {("tcp", 179, 179), ("ipip", None, None)}
    assert {(r.from_role, r.to_role) for r in rules} == {
        (a, b) for a in ("ControlPlane", "Node") for b in ("ControlPlane", "Node")}


def test_nothing_for_another_provider(make_cluster):
    assert _rules(make_cluster({"cni": {}})) == []
