"""The dependency graph of a run's tasks: who waits for whom, checked before anything is touched.

A duplicate key, a reference to a task that is not part of the run, or a cycle is an error raised here,
naming the tasks involved, before any cloud call is made.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from kops.engine.task import Task, TaskKey, key_label
from kops.errors import KopsError


class GraphError(KopsError):
    """The tasks do not form a valid graph."""


class TaskGraph:
    """Tasks by key, with edges both ways and a deterministic topological order."""

    def __init__(self, tasks: Iterable[Task], *, outside_refs: bool = False):
        """Build the graph; ``outside_refs`` lets tasks reference tasks outside it (those edges are dropped).

        Deletions use that: a resource to delete may point at one that stays.
        """
        self.tasks: dict[TaskKey, Task] = {}
        for task in tasks:
            task.field_spec()  # a task class with bad declarations fails here, before any cloud call
            if task.task_key in self.tasks:
                raise GraphError(f"two tasks have the same type and name: {task}")
            self.tasks[task.task_key] = task
        self._deps: dict[TaskKey, tuple[TaskKey, ...]] = {}
        self._dependents: dict[TaskKey, list[TaskKey]] = {key: [] for key in self.tasks}
        for key, task in self.tasks.items():
            deps = []
            for dep in task.dependencies():
                if dep.task_key not in self.tasks:
                    if outside_refs:
                        continue
                    raise GraphError(f"{task} depends on {dep}, which is not one of the tasks to run")
                deps.append(dep.task_key)
                self._dependents[dep.task_key].append(key)
            self._deps[key] = tuple(deps)
        self._order = self._topological_order()

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[Task]:
        """The tasks in dependency order (dependencies first; ties broken by key)."""
        return (self.tasks[key] for key in self._order)

    def dependencies(self, key: TaskKey) -> tuple[TaskKey, ...]:
        return self._deps[key]

    def dependents(self, key: TaskKey) -> tuple[TaskKey, ...]:
        return tuple(self._dependents[key])

    def reversed(self) -> TaskGraph:
        """The same tasks with every edge turned around: the order to delete them in."""
        flipped = object.__new__(TaskGraph)
        flipped.tasks = self.tasks
        flipped._deps = {key: tuple(deps) for key, deps in self._dependents.items()}
        flipped._dependents = {key: list(deps) for key, deps in self._deps.items()}
        flipped._order = list(reversed(self._order))
        return flipped

    def _topological_order(self) -> list[TaskKey]:
        waiting = {key: len(deps) for key, deps in self._deps.items()}
        ready = [key for key, n in waiting.items() if n == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            key = heapq.heappop(ready)
            order.append(key)
            for dependent in self._dependents[key]:
                waiting[dependent] -= 1
                if waiting[dependent] == 0:
                    heapq.heappush(ready, dependent)
        if len(order) < len(self.tasks):
            raise GraphError("dependency cycle: " + " -> ".join(map(key_label, self._a_cycle(waiting))))
        return order

    def _a_cycle(self, waiting: dict[TaskKey, int]) -> list[TaskKey]:
        """One cycle among the tasks left waiting: each of them waits on another one left waiting."""
        stuck = {key for key, n in waiting.items() if n > 0}
        path: list[TaskKey] = []
        seen: dict[TaskKey, int] = {}
        key = min(stuck)
        while key not in seen:
            seen[key] = len(path)
            path.append(key)
            key = min(dep for dep in self._deps[key] if dep in stuck)
        return [*path[seen[key]:], key]
