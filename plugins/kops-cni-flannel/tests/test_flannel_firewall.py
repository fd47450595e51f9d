"""Flannel's tunnel between machines, in cloud-neutral firewall rules."""

from __future__ import annotations

import pytest


def _rules(cluster):
    from kops import plugins

    return plugins.collect(plugins.hook().kops_firewall_rules(cluster=cluster))


@pytest.mark.parametrize(("backend", "port"), [("vxlan", 8472), ("udp", 8285)])
def test_backend_port_is_open_between_all_roles(make_cluster, backend, port):
    rules = _rules(make_cluster({"flannel": {"backend": backend}}))
    assert {(r.protocol, r.port_from, r.port_to) for r in rules} == {("udp", port, port)}
    assert {(r.from_role, r.to_role) for r in rules} == {
        (a, b) for a in ("ControlPlane", "Node") for b in ("ControlPlane", "Node")}


def test_nothing_for_another_provider(make_cluster):
    assert _rules(make_cluster({"cni": {}})) == []
