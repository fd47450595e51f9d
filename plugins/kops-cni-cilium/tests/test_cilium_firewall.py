"""The traffic Cilium needs between instances, handed to the cloud plugin as cloud-neutral rules."""

from __future__ import annotations

from kops.networking import FirewallRule
from kops.plugins import collect, hook

PAIRS = {("ControlPlane", "ControlPlane"), ("ControlPlane", "Node"), ("Node", "ControlPlane"), ("Node", "Node")}


def rules(to_cluster, doc) -> list[FirewallRule]:
    return [r for r in collect(hook().kops_firewall_rules(cluster=to_cluster(doc))) if "cilium" in r.description
            or "hubble" in r.description]


def ports(found: list[FirewallRule]) -> dict[tuple[str, int | None], set[tuple[str, str]]]:
    by_port: dict[tuple[str, int | None], set[tuple[str, str]]] = {}
    for r in found:
        assert r.port_from == r.port_to
        by_port.setdefault((r.protocol, r.port_from), set()).add((r.from_role, r.to_role))
    return by_port


def test_vxlan_and_health_checks_between_all_instances(cluster_doc, to_cluster):
    assert ports(rules(to_cluster, cluster_doc)) == {("udp", 8472): PAIRS, ("tcp", 4240): PAIRS}


def test_native_routing_needs_no_overlay_port(cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"ipam": "eni"}
    assert ports(rules(to_cluster, cluster_doc)) == {("tcp", 4240): PAIRS}


def test_managed_etcd_opens_the_etcd_port_on_the_control_plane(cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"etcdManaged": True}
    assert ports(rules(to_cluster, cluster_doc))[("tcp", 4003)] == {("Node", "ControlPlane"),
                                                                   ("ControlPlane", "ControlPlane")}


def test_optional_features_open_their_ports(cluster_doc, to_cluster):
    cluster_doc["spec"]["networking"]["cilium"] = {"tunnel": "geneve", "hubble": {}, "enableEncryption": True,
                                                   "encryptionType": "wireguard"}
    found = ports(rules(to_cluster, cluster_doc))
    assert set(found) == {("udp", 6081), ("tcp", 4240), ("tcp", 4244), ("udp", 51871)}

    cluster_doc["spec"]["networking"]["cilium"] = {"enableEncryption": True}
    assert ports(rules(to_cluster, cluster_doc))[("esp", None)] == PAIRS


def test_no_rules_for_other_networking(cluster_doc, to_cluster):
    from kops_cilium.firewall import firewall_rules

    cluster_doc["spec"]["networking"] = {"cni": {}}
    assert firewall_rules(to_cluster(cluster_doc)) == []
