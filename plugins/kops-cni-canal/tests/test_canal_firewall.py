"""Canal's traffic between machines, in cloud-neutral firewall rules."""

from __future__ import annotations


def test_flannel_vxlan_is_open_between_all_roles(firewall_rules, make_cluster):
    rules = firewall_rules(make_cluster())
    assert {(r.protocol, r.port_from, r.port_to) for r in rules} == {("udp", 8472, 8472)}
    assert {(r.from_role, r.to_role) for r in rules} == {
        (a, b) for a in ("ControlPlane", "Node") for b in ("ControlPlane", "Node")}


def test_typha_adds_its_port(firewall_rules, make_cluster):
    rules = firewall_rules(make_cluster({"canal": {"typhaReplicas": 1}}))
    assert {(r.protocol, r.port_from) for r in rules} == {("udp", 8472), ("tcp", 5473)}


def test_nothing_for_another_provider(firewall_rules, make_cluster):
    assert firewall_rules(make_cluster({"cni": {}})) == []
