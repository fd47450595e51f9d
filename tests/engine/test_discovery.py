"""Discovery: each resource type is listed once per run, however many tasks look themselves up."""

from __future__ import annotations

import threading

import pytest
from kops.engine import Snapshot
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget

from .fake_cloud import KINDS, FakeCloud, executor, make_context, model


@pytest.mark.parametrize("subnets, instances", [(1, 1), (6, 10)])
def test_each_type_is_listed_once_per_run_whatever_the_cluster_size(subnets: int, instances: int) -> None:
    cloud = FakeCloud()
    DirectTarget(executor()).run(make_context(cloud), model(subnets=subnets, instances_per_subnet=instances))
    cloud.calls.clear()

    ctx = make_context(cloud)
    plan = DryRunTarget(executor(8)).run(ctx, model(subnets=subnets, instances_per_subnet=instances))

    assert not plan.has_changes
    assert {kind: cloud.calls["list", kind] for kind in KINDS} == dict.fromkeys(KINDS, 1)
    assert sum(cloud.calls.values()) == len(KINDS)  # no per-resource lookups at all
    assert ctx.snapshot.calls == dict.fromkeys(KINDS, 1)


def test_concurrent_first_lookups_share_one_listing() -> None:
    listed = []
    release = threading.Event()

    def lister() -> list[str]:
        listed.append(1)
        release.wait(10)
        return ["a", "b"]

    snapshot = Snapshot({"thing": lister})
    start = threading.Barrier(8)
    results = []

    def look() -> None:
        start.wait(10)
        results.append(snapshot.get("thing"))

    threads = [threading.Thread(target=look) for _ in range(8)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert results == [("a", "b")] * 8
    assert listed == [1]
    assert snapshot.calls == {"thing": 1}


def test_a_failed_listing_is_not_cached() -> None:
    attempts = []

    def flaky() -> list[str]:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("throttled")
        return ["x"]

    snapshot = Snapshot({"thing": flaky})
    with pytest.raises(RuntimeError):
        snapshot.get("thing")
    assert snapshot.get("thing") == ("x",)
    assert snapshot.get("thing") == ("x",)
    assert snapshot.calls == {"thing": 2}


def test_first_and_unknown_types() -> None:
    snapshot = Snapshot({"thing": lambda: [{"n": 1}, {"n": 2}]})
    assert snapshot.first("thing", lambda r: r["n"] == 2) == {"n": 2}
    assert snapshot.first("thing", lambda r: r["n"] == 3) is None
    with pytest.raises(LookupError, match="no lister is registered for 'other' \\(registered: thing\\)"):
        snapshot.get("other")
    with pytest.raises(ValueError, match="already registered"):
        snapshot.register("thing", list)


def test_deletion_tasks_are_linked_wherever_dependencies_are_found():
    """A placeholder (a task carrying only an ID) in a field, list, tuple, set or dict value becomes the deletion task
    of that resource, so the engine orders the deletes."""
    from kops.engine import Discovery, Task

    class Net(Task):
        id: str | None = None

    class Holder(Task):
        one: Net | None = None
        many: list[Net] | None = None
        pair: tuple[Net, ...] | None = None
        bag: frozenset[Net] | None = None
        named: dict[str, Net] | None = None
        id: str | None = None

    registry = Discovery("tests.engine")
    registry.load_task_modules = lambda: None  # nothing to import: the factories are registered here

    @registry.register_deletions("nets")
    def nets(snapshot, cluster):
        return [Net(name=f"net-{i}", id=f"n-{i}") for i in range(5)]

    @registry.register_deletions("holders")
    def holders(snapshot, cluster):
        return [Holder(name="h", id="h-1", one=Net(name="?", id="n-0"), many=[Net(name="?", id="n-1")],
                       pair=(Net(name="?", id="n-2"),), bag=frozenset({Net(name="?", id="n-3")}),
                       named={"x": Net(name="?", id="n-4")})]

    tasks = registry.deletion_tasks(Snapshot(), "c.example.com")
    holder = next(t for t in tasks if t.name == "h")
    assert {d.name for d in holder.dependencies()} == {f"net-{i}" for i in range(5)}
    assert all(d in tasks for d in holder.dependencies())
