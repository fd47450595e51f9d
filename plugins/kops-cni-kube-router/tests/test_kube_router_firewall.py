"""kube-router's traffic between machines, in cloud-neutral firewall rules."""

from __future__ import annotations


def test_bgp_and_ip_in_ip_between_all_roles(firewall_rules, make_cluster):
    rules = firewall_rules(make_cluster())
    assert {(r.protocol, r.port_from, r.port_to) for r in rules} == {("tcp", 179, 179), ("ipip", None, None)}
    assert {(r.from_role, r.to_role) for r in rules} == {
        (a, b) for a in ("ControlPlane", "Node") for b in ("ControlPlane", "Node")}


def test_nothing_for_another_provider(firewall_rules, make_cluster):
    assert firewall_rules(make_cluster({"cni": {}})) == []
