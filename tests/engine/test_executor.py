"""The executor: dependency order, bounded parallelism, retries with backoff and a deadline, clean stops.

Concurrency is proven with barriers and events (a test that waits for something that cannot happen fails
on its timeout), never by measuring time.
"""

from __future__ import annotations

import random
import threading

import pytest
from kops.engine import CloudErrors, ExecutionError, Executor, RetryPolicy, Task, TaskGraph
from kops.engine.executor import RetriesExhausted


class Step(Task):
    """A task that is only a node in a graph."""

    after: list[Task] | None = None


class Transient(Exception):
    pass


class _TransientErrors(CloudErrors):
    def transient(self, exc: BaseException) -> bool:
        return isinstance(exc, Transient)


TRANSIENT = _TransientErrors()


def steps(spec: dict[str, list[str]]) -> list[Step]:
    """Tasks named by ``spec``'s keys, each depending on the tasks its value names (defined earlier)."""
    made: dict[str, Step] = {}
    for name, deps in spec.items():
        made[name] = Step(name=name, after=[made[d] for d in deps])
    return list(made.values())


def test_each_task_starts_after_its_dependencies_finished() -> None:
    tasks = steps({"net": [], "a": ["net"], "b": ["net"], "c": ["net"], "vm1": ["a"], "vm2": ["a", "b"],
                   "lb": ["vm1", "vm2", "c"]})
    record = Executor(4).run(TaskGraph(tasks), lambda task: None)
    position = {event: i for i, event in enumerate(record.events)}
    for task in tasks:
        for dep in task.dependencies():
            assert position["finish", str(dep)] < position["start", str(task)]
    assert sorted(record.labels("finish")) == sorted(str(t) for t in tasks)


def test_a_task_starts_when_its_own_dependencies_are_done_not_its_level() -> None:
    # slow and quick are independent; after depends on quick only. If the executor ran level by level,
    # after would wait for slow, and slow (waiting for after to start) would time out.
    tasks = steps({"slow": [], "quick": [], "after": ["quick"]})
    after_started = threading.Event()

    def work(task: Task) -> None:
        if task.name == "after":
            after_started.set()
        if task.name == "slow" and not after_started.wait(10):
            raise AssertionError("after did not start while slow was running")

    Executor(3).run(TaskGraph(tasks), work)


def test_independent_tasks_run_concurrently_up_to_the_bound() -> None:
    tasks = steps({f"t{i:02}": [] for i in range(12)})
    together = threading.Barrier(3)  # every task waits until three are running at once

    record = Executor(3).run(TaskGraph(tasks), lambda task: together.wait(10) and None)
    assert record.max_in_flight == 3
    assert len(record.labels("finish")) == 12


def test_transient_errors_are_retried_with_growing_jittered_pauses() -> None:
    failures = {"flaky": 3}
    pauses: list[float] = []

    def work(task: Task) -> None:
        if failures.get(task.name, 0) > 0:
            failures[task.name] -= 1
            raise Transient("throttled")

    executor = Executor(2, RetryPolicy(base_delay=1.0, max_delay=3.0), sleep=pauses.append, rng=random.Random(7))
    record = executor.run(TaskGraph(steps({"flaky": [], "fine": []})), work, errors=TRANSIENT)
    assert record.attempts == {"Step/flaky": 4, "Step/fine": 1}
    assert len(pauses) == 3
    for pause, ceiling in zip(pauses, [1.0, 2.0, 3.0], strict=True):
        assert ceiling / 2 <= pause <= ceiling


def test_transient_errors_give_up_at_the_deadline_naming_the_resource() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def work(task: Task) -> None:
        raise Transient("RequestLimitExceeded")

    executor = Executor(1, RetryPolicy(base_delay=1.0, max_delay=8.0, deadline=60.0), sleep=sleep,
                        clock=lambda: now[0])
    with pytest.raises(ExecutionError) as err:
        executor.run(TaskGraph(steps({"vpc": []})), work, errors=TRANSIENT)
    assert str(err.value).startswith("Step/vpc: still failing after ")
    assert "Transient: RequestLimitExceeded" in str(err.value)
    (key, exc), = err.value.failures
    assert key == ("Step", "vpc") and isinstance(exc, RetriesExhausted)
    assert now[0] <= 60.0


def test_a_permanent_error_lets_running_tasks_finish_and_starts_no_new_ones() -> None:
    tasks = steps({"a-fails": [], "b-running": [], "c1": [], "c2": [], "c3": [], "d": ["b-running"]})
    failure_seen = threading.Event()

    def on_event(event: str, label: str) -> None:
        if event == "fail":
            failure_seen.set()

    def work(task: Task) -> None:
        if task.name == "a-fails":
            raise ValueError("InvalidParameterValue: bad CIDR")
        if task.name == "b-running" and not failure_seen.wait(10):
            raise AssertionError("the failure was never noted")

    with pytest.raises(ExecutionError) as err:
        Executor(2).run(TaskGraph(tasks), work, on_event=on_event)
    record = err.value.record
    assert record.labels("start") in (["Step/a-fails", "Step/b-running"], ["Step/b-running", "Step/a-fails"])
    assert record.labels("finish") == ["Step/b-running"]
    assert record.labels("fail") == ["Step/a-fails"]
    assert str(err.value) == ("Step/a-fails: ValueError: InvalidParameterValue: bad CIDR\n"
                              "(4 not started: Step/c1, Step/c2, Step/c3, Step/d)")


def test_every_failure_is_reported() -> None:
    def work(task: Task) -> None:
        raise RuntimeError(f"{task.name} broke")

    with pytest.raises(ExecutionError) as err:
        Executor(2).run(TaskGraph(steps({"x": [], "y": []})), work)
    assert str(err.value) == "2 resources failed:\n  Step/x: RuntimeError: x broke\n  Step/y: RuntimeError: y broke"
