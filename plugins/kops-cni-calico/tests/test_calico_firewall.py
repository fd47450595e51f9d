"""Calico's traffic between machines, in cloud-neutral firewall rules."""

from __future__ import annotations


def _needs(rules) -> set[tuple[str, int | None]]:
    return {(r.protocol, r.port_from) for r in rules}


def test_ip_in_ip_needs_bgp_and_ip_protocol_4_between_all_roles(firewall_rules, make_cluster):
    rules = firewall_rules(make_cluster())
    assert _needs(rules) == {("tcp", 179), ("ipip", None)}
    pairs = {(r.from_role, r.to_role) for r in rules}
    assert pairs == {(a, b) for a in ("ControlPlane", "Node") for b in ("ControlPlane", "Node")}
    assert all(r.port_from == r.port_to for r in rules)


#: What upstream opens whatever the encapsulation: IP-in-IP from nodes to the control plane.
UPSTREAMS_IPIP = ("ipip", None)


def test_vxlan_needs_udp_4789_and_no_bgp(firewall_rules, make_cluster):
    rules = firewall_rules(make_cluster({"calico": {"encapsulationMode": "vxlan"}}))
    assert _needs(rules) == {("udp", 4789), UPSTREAMS_IPIP}
    assert [(r.from_role, r.to_role) for r in rules if r.protocol == "ipip"] == [("Node", "ControlPlane")]


def test_typha_and_wireguard_add_their_ports(firewall_rules, make_cluster):
    rules = firewall_rules(make_cluster({"calico": {"typhaReplicas": 3, "wireguardEnabled": True}}))
    assert {("tcp", 5473), ("udp", 51820)} <= _needs(rules)


def test_ipv6_routes_natively(firewall_rules, make_cluster):
    assert _needs(firewall_rules(make_cluster(nonMasqueradeCIDR="::/0"))) == {UPSTREAMS_IPIP}


def test_nothing_for_another_provider(firewall_rules, make_cluster):
    assert firewall_rules(make_cluster({"cni": {}})) == []
