"""The direct target: make the cloud match, task by task, through the cloud's API."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from kops.engine.context import Context
from kops.engine.executor import ExecutionRecord, Executor
from kops.engine.plan import Plan, verify_plan
from kops.engine.reconcile import Observation, build_plan, carry_out, observe, observe_deletion
from kops.engine.targets import task_graphs
from kops.engine.targets.dryrun import DryRunTarget
from kops.engine.task import Task


@dataclasses.dataclass
class ApplyResult:
    """What an apply did (as a plan of the changes made) and how the executor ran it."""

    plan: Plan
    record: ExecutionRecord
    deletion_record: ExecutionRecord


class DirectTarget:
    """Applies a run: each task, once its dependencies are done, is found, compared and rendered.

    Desired tasks run first, then deletions, dependents before what they depend on. Shared resources are
    only ever read. With ``expect`` (a saved plan), the run first plans again and refuses to change anything
    unless the result matches it; the listings made for that check are reused by the apply.
    """

    name = "direct"

    def __init__(self, executor: Executor | None = None, *, expect: Plan | None = None):
        self.executor = executor or Executor()
        self.expect = expect

    def run(self, ctx: Context, tasks: Iterable[Task], deletions: Iterable[Task] = ()) -> ApplyResult:
        tasks, deletions = list(tasks), list(deletions)
        graph, doomed = task_graphs(tasks, deletions)
        if self.expect is not None:
            verify_plan(self.expect, DryRunTarget(self.executor).run(ctx, tasks, deletions))
        ctx = dataclasses.replace(ctx, target=self)
        observations: list[Observation] = []

        def apply(task: Task) -> None:
            obs = observe(ctx, task)
            carry_out(ctx, obs)
            observations.append(obs)

        def delete(task: Task) -> None:
            obs = observe_deletion(ctx, task)
            carry_out(ctx, obs)
            observations.append(obs)

        record = self.executor.run(graph, apply, errors=ctx.errors)
        deletion_record = self.executor.run(doomed, delete, errors=ctx.errors)
        return ApplyResult(build_plan(observations), record, deletion_record)
