"""Flannel's tunnel between machines, in cloud-neutral firewall rules."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("backend", "port"), [("vxlan", 8472), ("udp", 8285)])
def test_backend_port_is_open_between_all_roles(firewall_rules, make_cluster, backend, port):
    rules = firewall_rules(make_cluster({"flannel": {"backend": backend}}))
    assert {(r.protocol, r.port_from, r.port_to) for r in rules} == {("udp", port, port)}
    assert {(r.from_role, r.to_role) for r in rules} == {
        (a, b) for a in ("ControlPlane", "Node") for b in ("ControlPlane", "Node")}


def test_nothing_for_another_provider(firewall_rules, make_cluster):
    assert firewall_rules(make_cluster({"cni": {}})) == []
