"""The dependency graph: order, cycles, duplicates and dangling references are caught before any work."""

from __future__ import annotations

import pytest
from kops.engine import GraphError, TaskGraph

from .fake_cloud import Firewall, Instance, Network, Subnet


def test_dependencies_come_first_and_the_order_is_stable() -> None:
    net = Network(name="net")
    subnets = [Subnet(name=n, network=net) for n in ("b", "a")]
    inst = Instance(name="vm", subnet=subnets[0])
    graph = TaskGraph([inst, *subnets, net])
    assert [str(t) for t in graph] == ["Network/net", "Subnet/a", "Subnet/b", "Instance/vm"]
    assert graph.dependents(net.task_key) == (("Subnet", "b"), ("Subnet", "a"))
    assert [str(t) for t in graph.reversed()] == ["Instance/vm", "Subnet/b", "Subnet/a", "Network/net"]


def test_a_cycle_is_named() -> None:
    net = Network(name="net")
    subnet = Subnet(name="a", network=net)
    fw = Firewall(name="fw", depends_on=[subnet])
    net.depends_on.append(fw)
    with pytest.raises(GraphError, match=r"dependency cycle: Firewall/fw -> Subnet/a -> Network/net -> Firewall/fw"):
        TaskGraph([net, subnet, fw])


def test_a_task_depending_on_itself_is_a_cycle() -> None:
    net = Network(name="net")
    net.depends_on.append(net)
    with pytest.raises(GraphError, match="Network/net -> Network/net"):
        TaskGraph([net])


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(GraphError, match="same type and name: Network/net"):
        TaskGraph([Network(name="net"), Network(name="net", cidr="10.0.0.0/8")])


def test_a_reference_to_a_task_outside_the_run_is_an_error_unless_allowed() -> None:
    subnet = Subnet(name="a", network=Network(name="forgotten"))
    with pytest.raises(GraphError, match="Subnet/a depends on Network/forgotten, which is not one of the tasks"):
        TaskGraph([subnet])
    assert [str(t) for t in TaskGraph([subnet], outside_refs=True)] == ["Subnet/a"]
