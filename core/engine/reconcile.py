"""Deciding and doing, for one task: find, compare, choose an action within the lifecycle, render it.

The dry-run target stops after deciding; the direct target goes on to do. Both share these functions, so a
plan and an apply can never disagree about what a difference means.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from kops.engine.context import Context
from kops.engine.lifecycle import Lifecycle
from kops.engine.plan import Action, Change, Plan
from kops.engine.task import Task
from kops.engine.values import digest, display, fingerprinted, shown
from kops.errors import KopsError


class ImmutableFieldError(KopsError):
    """A field that cannot change in place differs, and the task may not be replaced."""


class SharedResourceError(KopsError):
    """A shared resource (ExistsAndValidates) is missing or not as the spec says; it is never modified."""


@dataclasses.dataclass
class Observation:
    """One task as found: the actual resource, the action it needs, the raw changes for rendering."""

    task: Task
    actual: Task | None
    action: Action
    #: field -> (actual value, desired value), unredacted: for render_direct only, never for display.
    changes: dict[str, tuple[Any, Any]] = dataclasses.field(default_factory=dict)
    forces_replacement: tuple[str, ...] = ()
    warning: str | None = None
    #: :meth:`state_digest` as observed, before anything was done: an apply's plan then carries the same
    #: fingerprint as the dry run of the same state.
    digest: str = dataclasses.field(init=False, default="")

    def __post_init__(self) -> None:
        self.digest = self.state_digest()

    def change(self) -> Change:
        fields = {f: (shown(self.task, f, old), shown(self.task, f, new)) for f, (old, new) in self.changes.items()}
        return Change(self.task.type_name, self.task.name, self.action, fields, self.forces_replacement)

    def state_digest(self) -> str:
        """The desired and actual state behind this observation; secrets enter only as digests."""
        def state(task: Task | None) -> Any:
            if task is None:
                return None
            spec = task.field_spec()
            return {f: fingerprinted(task, f, getattr(task, f)) for f in (*spec.compared, *spec.outputs)}
        return digest({"lifecycle": self.task.lifecycle.value, "desired": state(self.task),
                       "actual": state(self.actual)})


def _fields_text(task: Task, changes: dict[str, tuple[Any, Any]]) -> str:
    return ", ".join(f"{f}: {display(shown(task, f, old))} -> {display(shown(task, f, new))}"
                     for f, (old, new) in changes.items())


def observe(ctx: Context, task: Task) -> Observation:
    """Find ``task`` and decide what it needs. Raises for what no action may fix (see the error classes);
    error messages leave out the task's label, which the executor puts in front of them."""
    if task.lifecycle == Lifecycle.IGNORE:
        return Observation(task, None, Action.NONE)
    actual = task.find(ctx)
    if actual is not None:
        task.adopt_outputs(actual)
    shared = task.lifecycle.shared
    if actual is None:
        if task.lifecycle == Lifecycle.EXISTS_AND_VALIDATES:
            raise SharedResourceError("this shared resource was not found: create it, or correct its ID in the "
                                      "cluster spec")
        if shared:
            return Observation(task, None, Action.NONE, warning=f"{task}: this shared resource was not found")
        return Observation(task, None, Action.CREATE, task.desired_fields())
    changes = task.diff(actual)
    if not changes:
        return Observation(task, actual, Action.NONE)
    if shared:
        message = f"this shared resource differs from the spec ({_fields_text(task, changes)})"
        if task.lifecycle == Lifecycle.EXISTS_AND_VALIDATES:
            raise SharedResourceError(f"{message}; kops never modifies it: change the spec to match it")
        return Observation(task, actual, Action.NONE, warning=f"{task}: {message}; kops leaves it as it is")
    immutable = tuple(f for f in changes if f in task.field_spec().immutable)
    if not immutable:
        return Observation(task, actual, Action.UPDATE, changes)
    if not task.replace_on_immutable_change:
        raise ImmutableFieldError(f"{_fields_text(task, {f: changes[f] for f in immutable})} cannot be changed "
                                  f"in place; {task.immutable_advice}")
    return Observation(task, actual, Action.REPLACE, changes, immutable)


def observe_deletion(ctx: Context, task: Task) -> Observation:
    """Find a resource that should no longer exist; only a resource the cluster owns may be deleted."""
    if task.lifecycle != Lifecycle.SYNC:
        raise SharedResourceError(f"refusing to delete a resource with lifecycle {task.lifecycle.value}: kops "
                                  "deletes only what it owns")
    actual = task.find(ctx)
    if actual is None:
        return Observation(task, None, Action.NONE)
    return Observation(task, actual, Action.DELETE, {f: (old, None) for f, (_, old) in actual.desired_fields().items()})


def carry_out(ctx: Context, obs: Observation) -> None:
    """Make the cloud match: the one place the engine changes anything."""
    task, actual = obs.task, obs.actual
    if obs.action == Action.CREATE:
        ctx.log.info("creating %s", task)
        task.render_direct(ctx, None, obs.changes)
    elif obs.action == Action.UPDATE:
        ctx.log.info("updating %s: %s", task, ", ".join(obs.changes))
        task.render_direct(ctx, actual, obs.changes)
    elif obs.action in (Action.REPLACE, Action.DELETE):
        assert actual is not None
        ctx.log.info("deleting %s%s", task, " to replace it" if obs.action == Action.REPLACE else "")
        actual.delete_direct(ctx)
        if obs.action == Action.REPLACE:
            task.render_direct(ctx, None, task.desired_fields())


def build_plan(observations: Iterable[Observation]) -> Plan:
    """The plan of a set of observations, sorted by type then name (deletions after the rest)."""
    ordered = sorted(observations, key=lambda o: (o.action == Action.DELETE, o.task.task_key))
    return Plan([o.change() for o in ordered], [o.warning for o in ordered if o.warning],
                {str(o.task): o.digest for o in ordered})
