"""Running a task graph: in dependency order, in parallel, retrying what the cloud says is transient.

Each task starts as soon as its own dependencies are done (not level by level), on a bounded pool of
threads. Every task goes through the run's :class:`kops.engine.retry.Retrier`: transient errors (the cloud's
:class:`~kops.engine.retry.CloudErrors` decides) are retried with jittered backoff until the run's deadline, an
unreachable endpoint is named in a warning and given up within a minute. A permanent error stops the run: tasks
already running finish, nothing new starts, and the error names every resource that failed and why.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from kops.engine.graph import TaskGraph
from kops.engine.retry import CloudErrors, Retrier, RetriesExhausted, RetryPolicy, describe
from kops.engine.task import Task, TaskKey, key_label
from kops.errors import KopsError

__all__ = ["ExecutionError", "ExecutionRecord", "Executor", "RetriesExhausted", "RetryPolicy", "describe"]


#: Called with (event, task label) as a run progresses: "start" from the worker thread, "finish" and "fail"
#: from the thread that called run(), in the order the executor acts on them.
EventListener = Callable[[str, str], None]


@dataclasses.dataclass
class ExecutionRecord:
    """What happened, for tests and logs: the ordered events of a run and how many tasks ran at once.

    A task's "finish" is recorded before any of its dependents' "start".
    """

    #: ("start" | "finish" | "fail", task label), in order.
    events: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: Attempts per task label; more than 1 means transient errors were retried.
    attempts: dict[str, int] = dataclasses.field(default_factory=dict)
    #: The most tasks that were running at the same moment.
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    def labels(self, event: str) -> list[str]:
        """The labels of one kind of event, in order: ``record.labels("start")``."""
        with self._lock:
            return [label for kind, label in self.events if kind == event]

    def _event(self, event: str, label: str) -> None:
        with self._lock:
            self.events.append((event, label))
            if event == "start":
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _attempt(self, label: str) -> None:
        with self._lock:
            self.attempts[label] = self.attempts.get(label, 0) + 1

    def _left(self) -> None:
        with self._lock:
            self._in_flight -= 1


class ExecutionError(KopsError):
    """One or more tasks failed permanently; the message names each resource and the reason."""

    def __init__(self, failures: list[tuple[TaskKey, BaseException]], not_started: list[TaskKey],
                 record: ExecutionRecord):
        failures = sorted(failures, key=lambda failure: failure[0])
        lines = [f"{key_label(key)}: {describe(exc)}" for key, exc in failures]
        message = lines[0] if len(lines) == 1 else f"{len(lines)} resources failed:\n  " + "\n  ".join(lines)
        if not_started:
            message += f"\n({len(not_started)} not started: {', '.join(map(key_label, not_started))})"
        super().__init__(message)
        self.failures = failures
        self.not_started = not_started
        self.record = record


class Executor:
    """Runs a function over a :class:`TaskGraph` on a bounded pool of threads."""

    def __init__(self, max_workers: int = 10, retry: RetryPolicy | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None):
        """``sleep``, ``clock`` and ``rng`` are there so tests can run retries without waiting."""
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()

    def run(self, graph: TaskGraph, work: Callable[[Task], None], *, errors: CloudErrors | None = None,
            on_event: EventListener | None = None) -> ExecutionRecord:
        """Call ``work(task)`` for every task, each after its dependencies; raise :class:`ExecutionError`."""
        record = ExecutionRecord()

        def note(event: str, task_key: TaskKey) -> None:
            record._event(event, key_label(task_key))
            if on_event is not None:
                on_event(event, key_label(task_key))

        retrier = Retrier(self.retry, errors, sleep=self._sleep, clock=self._clock, rng=self._rng)
        waiting = {task.task_key: len(graph.dependencies(task.task_key)) for task in graph}
        ready = deque(task.task_key for task in graph if waiting[task.task_key] == 0)  # graph order: deterministic
        failures: list[tuple[TaskKey, BaseException]] = []
        running: dict[Future[None], TaskKey] = {}
        with ThreadPoolExecutor(self.max_workers, thread_name_prefix="kops-task") as pool:
            while ready or running:
                # Submit only what a worker can start now: queued work could not be held back after a failure.
                while ready and not failures and len(running) < self.max_workers:
                    key = ready.popleft()
                    task = graph.tasks[key]
                    running[pool.submit(self._run_one, task, work, retrier, record, note)] = key
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: running[f]):
                    key = running.pop(future)
                    exc = future.exception()
                    if exc is not None:
                        failures.append((key, exc))
                        note("fail", key)
                        continue
                    note("finish", key)
                    for dependent in graph.dependents(key):
                        waiting[dependent] -= 1
                        if waiting[dependent] == 0:
                            ready.append(dependent)
        if failures:
            started = set(record.labels("start"))
            not_started = [task.task_key for task in graph if str(task) not in started]
            raise ExecutionError(failures, not_started, record) from failures[0][1]
        return record

    @staticmethod
    def _run_one(task: Task, work: Callable[[Task], None], retrier: Retrier, record: ExecutionRecord,
                 note: Callable[[str, TaskKey], None]) -> None:
        label = str(task)
        note("start", task.task_key)
        try:
            retrier.call(lambda: work(task), on_attempt=lambda: record._attempt(label))
        finally:
            record._left()
