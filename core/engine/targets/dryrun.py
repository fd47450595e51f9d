"""The dry-run target: find and compare every task, change nothing, return the plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from kops.engine.context import Context
from kops.engine.executor import Executor
from kops.engine.plan import Plan
from kops.engine.reconcile import Observation, build_plan, observe, observe_deletion
from kops.engine.targets import task_graphs
from kops.engine.task import Task


class DryRunTarget:
    """Plans a run. Lookups run in dependency order, so a task can find itself by a dependency's ID."""

    name = "dryrun"

    def __init__(self, executor: Executor | None = None):
        self.executor = executor or Executor()

    def run(self, ctx: Context, tasks: Iterable[Task], deletions: Iterable[Task] = ()) -> Plan:
        graph, doomed = task_graphs(tasks, deletions)
        ctx = dataclasses.replace(ctx, target=self)
        observations: list[Observation] = []
        self.executor.run(graph, lambda task: observations.append(observe(ctx, task)),
                          errors=ctx.errors)
        self.executor.run(doomed, lambda task: observations.append(observe_deletion(ctx, task)),
                          errors=ctx.errors)
        return build_plan(observations)
