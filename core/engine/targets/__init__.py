"""Targets: what a run does with its tasks (``kops update cluster`` plans, ``--yes`` applies, ``--target terraform``
writes Terraform). They are core's, not plugins': a cloud plugin renders its tasks for each of them.

``dryrun`` computes a :class:`~kops.engine.plan.Plan`, ``direct`` applies the tasks through the cloud API,
``terraform`` writes a Terraform configuration. Every target has the same ``run(ctx, tasks, deletions)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from kops.engine.context import Context
from kops.engine.graph import GraphError, TaskGraph
from kops.engine.task import Task


class Target(Protocol):
    name: str

    def run(self, ctx: Context, tasks: Iterable[Task], deletions: Iterable[Task] = ()) -> Any:
        """Run ``tasks`` (the desired resources) and ``deletions`` (resources that should no longer exist)."""


def task_graphs(tasks: Iterable[Task], deletions: Iterable[Task]) -> tuple[TaskGraph, TaskGraph]:
    """The graph of desired tasks, and the graph of deletions turned around (dependents are deleted first).

    A resource cannot be both desired and deleted in one run.
    """
    graph = TaskGraph(tasks)
    doomed = TaskGraph(deletions, outside_refs=True)
    both = sorted(graph.tasks.keys() & doomed.tasks.keys())
    if both:
        raise GraphError(f"{graph.tasks[both[0]]} is both desired and to be deleted")
    return graph, doomed.reversed()
