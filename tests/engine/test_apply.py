"""Planning and applying against the fake cloud: convergence, updates, replacement, lifecycles, failures."""

from __future__ import annotations

import pytest
from kops.engine import (
    ExecutionError,
    ImmutableFieldError,
    Lifecycle,
    Plan,
    SharedResourceError,
    Task,
)
from kops.engine.targets.direct import ApplyResult, DirectTarget
from kops.engine.targets.dryrun import DryRunTarget

from .fake_cloud import (
    CLUSTER,
    FakeCloud,
    Instance,
    Network,
    Subnet,
    by_name,
    executor,
    make_context,
    model,
)

SUBNET_0 = f"zone-0.{CLUSTER}"
NODE_00 = f"node-0-0.{CLUSTER}"


def plan_of(cloud: FakeCloud, tasks: list[Task], deletions: list[Task] | None = None) -> Plan:
    return DryRunTarget(executor()).run(make_context(cloud), tasks, deletions or [])


def apply(cloud: FakeCloud, tasks: list[Task], deletions: list[Task] | None = None) -> ApplyResult:
    return DirectTarget(executor()).run(make_context(cloud), tasks, deletions or [])


def counts(cloud: FakeCloud) -> dict[str, int]:
    return {kind: len(items) for kind, items in cloud.resources.items()}


EXPECTED = {"network": 1, "subnet": 2, "firewall": 1, "instance": 4, "keypair": 1}


def test_plan_on_an_empty_cloud_creates_everything_and_changes_nothing() -> None:
    cloud = FakeCloud()
    plan = plan_of(cloud, model())
    assert {c.action for c in plan.changes} == {"create"}
    assert len(plan.changes) == len(model())
    assert plan.summary() == "Plan: 9 to add, 0 to change, 0 to destroy."
    assert cloud.mutations == []


def test_apply_then_plan_shows_no_changes_and_apply_again_does_nothing() -> None:
    cloud = FakeCloud()
    result = apply(cloud, model())
    assert result.plan.counts() == (9, 0, 0)
    assert counts(cloud) == EXPECTED

    assert plan_of(cloud, model()).render_text() == "No changes.\n"
    cloud.mutations.clear()
    assert apply(cloud, model()).plan.counts() == (0, 0, 0)
    assert cloud.mutations == []


def test_dependents_receive_the_ids_of_what_they_reference() -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    (net_id,) = cloud.resources["network"]
    assert {s["network_id"] for s in cloud.resources["subnet"].values()} == {net_id}
    subnet_ids = {s["name"]: s["id"] for s in cloud.resources["subnet"].values()}
    vm = next(v for v in cloud.resources["instance"].values() if v["name"] == NODE_00)
    assert vm["subnet_id"] == subnet_ids[SUBNET_0]


def test_a_changed_field_is_an_in_place_update_showing_old_and_new() -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    plan = plan_of(cloud, model(size="large"))
    updates = [c for c in plan.changes if c.action == "update"]
    assert [c.name for c in updates] == [f"node-{i}-{j}.{CLUSTER}" for i in range(2) for j in range(2)]
    assert updates[0].fields == {"size": ("small", "large")}
    assert '~ size = "small" -> "large"' in plan.render_text()
    assert plan.summary() == "Plan: 0 to add, 4 to change, 0 to destroy."

    ids_before = set(cloud.resources["instance"])
    apply(cloud, model(size="large"))
    assert set(cloud.resources["instance"]) == ids_before
    assert {v["size"] for v in cloud.resources["instance"].values()} == {"large"}
    assert not plan_of(cloud, model(size="large")).has_changes


def test_an_immutable_change_is_a_replace_when_the_task_allows_it() -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    tasks = model()
    by_name(tasks, NODE_00).image = "debian-13"
    plan = plan_of(cloud, tasks)
    (change,) = [c for c in plan.changes if c.action != "none"]
    assert (change.name, change.action, change.forces_replacement) == (NODE_00, "replace", ("image",))
    assert '-/+ Instance/node-0-0.demo.example.com must be replaced' in plan.render_text()
    assert '~ image = "debian-12" -> "debian-13" # forces replacement' in plan.render_text()
    assert plan.summary() == "Plan: 1 to add, 0 to change, 1 to destroy."

    old_id = next(i for i, v in cloud.resources["instance"].items() if v["name"] == NODE_00)
    apply(cloud, tasks)
    assert old_id not in cloud.resources["instance"]
    assert counts(cloud) == EXPECTED
    assert not plan_of(cloud, tasks).has_changes


def test_an_immutable_change_is_an_error_with_advice_when_replacing_is_not_allowed() -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    tasks = model()
    by_name(tasks, SUBNET_0).zone = "zone-9"
    cloud.mutations.clear()
    for target in (DryRunTarget(executor()), DirectTarget(executor())):
        with pytest.raises(ExecutionError) as err:
            target.run(make_context(cloud), tasks)
        assert str(err.value).startswith(f'Subnet/{SUBNET_0}: zone: "zone-0" -> "zone-9" cannot be changed in '
                                         "place; move the subnet by creating a new one")
        assert isinstance(err.value.failures[0][1], ImmutableFieldError)
    assert cloud.mutations == []


def shared_network(cloud: FakeCloud, cidr: str = "10.0.0.0/16") -> str:
    """A network someone else made: not tagged for the cluster."""
    return cloud.create("network", "users-network", None, cidr=cidr)


def with_shared_network(lifecycle: Lifecycle, net_id: str, cidr: str = "10.0.0.0/16") -> list[Task]:
    net = Network(name="users-network", id=net_id, cidr=cidr, lifecycle=lifecycle)
    return [net, Subnet(name=SUBNET_0, network=net, cidr="10.0.0.0/24", zone="zone-0")]


@pytest.mark.parametrize("lifecycle", [Lifecycle.EXISTS_AND_VALIDATES, Lifecycle.EXISTS_AND_WARN_IF_CHANGES])
def test_a_shared_resource_is_used_but_never_modified(lifecycle: Lifecycle) -> None:
    cloud = FakeCloud()
    net_id = shared_network(cloud)
    cloud.mutations.clear()
    plan = plan_of(cloud, with_shared_network(lifecycle, net_id))
    assert [(c.type, c.action) for c in plan.changes] == [("Network", "none"), ("Subnet", "create")]

    apply(cloud, with_shared_network(lifecycle, net_id))
    assert [m for m in cloud.mutations if m[1] == "network"] == []
    (subnet,) = cloud.resources["subnet"].values()
    assert subnet["network_id"] == net_id


def test_exists_and_validates_refuses_a_shared_resource_that_differs_or_is_missing() -> None:
    cloud = FakeCloud()
    net_id = shared_network(cloud, cidr="192.168.0.0/16")
    cloud.mutations.clear()
    with pytest.raises(ExecutionError, match=r"Network/users-network: this shared resource differs from the spec "
                                             r'\(cidr: "192.168.0.0/16" -> "10.0.0.0/16"\); kops never modifies it'):
        apply(cloud, with_shared_network(Lifecycle.EXISTS_AND_VALIDATES, net_id))
    with pytest.raises(ExecutionError, match="Network/users-network: this shared resource was not found") as err:
        plan_of(cloud, with_shared_network(Lifecycle.EXISTS_AND_VALIDATES, "network-404"))
    assert isinstance(err.value.failures[0][1], SharedResourceError)
    assert cloud.mutations == []


def test_exists_and_warn_if_changes_warns_and_leaves_it_alone() -> None:
    cloud = FakeCloud()
    net_id = shared_network(cloud, cidr="192.168.0.0/16")
    cloud.mutations.clear()
    plan = plan_of(cloud, with_shared_network(Lifecycle.EXISTS_AND_WARN_IF_CHANGES, net_id))
    assert plan.warnings == ('Network/users-network: this shared resource differs from the spec '
                             '(cidr: "192.168.0.0/16" -> "10.0.0.0/16"); kops leaves it as it is',)
    assert "Warning: Network/users-network" in plan.render_text()
    apply(cloud, with_shared_network(Lifecycle.EXISTS_AND_WARN_IF_CHANGES, net_id))
    assert cloud.resources["network"][net_id]["cidr"] == "192.168.0.0/16"
    assert [m for m in cloud.mutations if m[1] == "network"] == []


def test_an_ignored_task_is_not_looked_up_or_touched() -> None:
    cloud = FakeCloud()
    plan = plan_of(cloud, [Network(name="whatever", cidr="10.0.0.0/8", lifecycle=Lifecycle.IGNORE)])
    assert not plan.has_changes
    assert sum(cloud.calls.values()) == 0


def test_deletions_remove_dependents_first_and_never_shared_resources() -> None:
    cloud = FakeCloud()
    apply(cloud, model())
    keep = model(subnets=1)
    net = by_name(keep, CLUSTER)
    gone_subnet = Subnet(name=f"zone-1.{CLUSTER}", network=net)
    gone = [Instance(name=f"node-1-{j}.{CLUSTER}", subnet=gone_subnet) for j in range(2)] + [gone_subnet]

    plan = plan_of(cloud, keep, gone)
    assert [(c.action, c.name) for c in plan.changes if c.action != "none"] == [
        ("delete", f"node-1-0.{CLUSTER}"), ("delete", f"node-1-1.{CLUSTER}"), ("delete", f"zone-1.{CLUSTER}")]
    assert "- Subnet/zone-1.demo.example.com will be destroyed" in plan.render_text()

    cloud.mutations.clear()
    apply(cloud, keep, gone)
    deleted = [kind for op, kind, _ in cloud.mutations if op == "delete"]
    assert deleted == ["instance", "instance", "subnet"]
    assert counts(cloud) == {**EXPECTED, "subnet": 1, "instance": 2}
    assert not plan_of(cloud, keep, gone).has_changes

    shared = Network(name="users-network", lifecycle=Lifecycle.EXISTS_AND_WARN_IF_CHANGES)
    with pytest.raises(ExecutionError, match="kops deletes only what it owns"):
        apply(cloud, keep, [shared])
    with pytest.raises(Exception, match="both desired and to be deleted"):
        apply(cloud, keep, [Subnet(name=SUBNET_0)])


@pytest.mark.parametrize("seed", range(1, 6))
def test_an_apply_converges_while_15_percent_of_cloud_calls_fail_transiently(seed: int) -> None:
    cloud = FakeCloud(fail_rate=0.15, seed=seed)
    result = apply(cloud, model(subnets=3, instances_per_subnet=3))
    assert cloud.throttled > 0
    assert sum(result.record.attempts.values()) >= len(result.record.attempts) + cloud.throttled
    cloud.fail_rate = 0.0
    assert counts(cloud) == {**EXPECTED, "subnet": 3, "instance": 9}
    assert not plan_of(cloud, model(subnets=3, instances_per_subnet=3)).has_changes


@pytest.mark.parametrize("crash_after", [0, 1, 4, 8])
def test_an_apply_killed_midway_converges_when_run_again_without_duplicates(crash_after: int) -> None:
    cloud = FakeCloud(crash_after_creates=crash_after)
    with pytest.raises(ExecutionError, match="Crashed: killed before creating"):
        apply(cloud, model())
    assert sum(counts(cloud).values()) == crash_after

    cloud.crash_after_creates = None
    result = apply(cloud, model())
    assert result.plan.counts() == (9 - crash_after, 0, 0)
    assert counts(cloud) == EXPECTED
    assert not plan_of(cloud, model()).has_changes


def test_a_permanent_error_names_the_resource_and_stops_its_dependents() -> None:
    class RejectingCloud(FakeCloud):
        def create(self, kind: str, name: str, cluster: str | None, **attrs: object) -> str:
            if name == SUBNET_0:
                raise ValueError("InvalidSubnet.Conflict: the CIDR 10.0.0.0/24 conflicts with another subnet")
            return super().create(kind, name, cluster, **attrs)

    cloud = RejectingCloud()
    with pytest.raises(ExecutionError) as err:
        apply(cloud, model())
    assert str(err.value).splitlines()[0] == (
        f"Subnet/{SUBNET_0}: ValueError: InvalidSubnet.Conflict: the CIDR 10.0.0.0/24 conflicts with another subnet")
    assert f"Instance/{NODE_00}" in str(err.value)  # named among those not started
    assert NODE_00 not in {v["name"] for v in cloud.resources["instance"].values()}
