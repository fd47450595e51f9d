"""The traffic Cilium needs between instances, handed to the cloud plugin as cloud-neutral rules."""

from __future__ import annotations

from kops.networking import FirewallRule

PAIRS = {("ControlPlane", "ControlPlane"), ("ControlPlane", "Node"), ("Node", "ControlPlane"), ("Node", "Node")}


def rules(plugin, to_cluster, doc) -> list[FirewallRule]:
    return plugin.kops_firewall_rules(cluster=to_cluster(doc))


def ports(found: list[FirewallRule]) -> dict[tuple[str, int | None], set[tuple[str, str]]]:
    by_port: dict[tuple[str, int | None], set[tuple[str, str]]] = {}
    for r in found:
        assert r.port_from == r.port_to
        by_port.setdefault((r.protocol, r.port_from), set()).add((r.from_role, r.to_role))
    return by_port


def test_vxlan_and_health_checks_between_all_instances(plugin, cluster_doc, to_cluster):
    assert ports(rules(plugin, to_cluster, cluster_doc)) == {("udp", 8472): PAIRS, ("tcp", 4240): PAIRS}


def test_native_routing_needs_no_overlay_port(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"ipam": "eni"}
    assert ports(rules(plugin, to_cluster, cluster_doc)) == {("tcp", 4240): PAIRS}


def test_managed_etcd_opens_the_etcd_port_on_the_control_plane(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"etcdManaged": True}
    assert ports(rules(plugin, to_cluster, cluster_doc))[("tcp", 4003)] == {("Node", "ControlPlane"),
                                                                           ("ControlPlane", "ControlPlane")}


def test_optional_features_open_their_ports(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"tunnel": "geneve", "hubble": {}, "enableEncryption": True,
                                                   "encryptionType": "wireguard"}
    found = ports(rules(plugin, to_cluster, cluster_doc))
    assert set(found) == {("udp", 6081), ("tcp", 4240), ("tcp", 4244), ("udp", 51871)}

    cluster_doc["spec"]["networking"]["cilium"] = {"enableEncryption": True}
    assert ports(rules(plugin, to_cluster, cluster_doc))[("esp", None)] == PAIRS


def test_no_rules_for_other_networking(plugin, cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert rules(plugin, to_cluster, cluster_doc) == []
