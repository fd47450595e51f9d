"""The cloud-agnostic engine: turn a set of desired resources (tasks) into a plan, and apply it.

A cloud plugin supplies task classes (one resource type each, see :mod:`kops.engine.task`) and listers
for discovery (:mod:`kops.engine.discovery`); the engine orders the tasks (:mod:`kops.engine.graph`), runs
them in parallel with retries (:mod:`kops.engine.executor`) and hands them to a target: a dry run that
returns a :class:`Plan`, a direct apply through the cloud API, or a Terraform configuration
(:mod:`kops.engine.targets`). Nothing here imports a cloud SDK.
"""

from kops.engine.context import Context
from kops.engine.discovery import Discovery, Snapshot
from kops.engine.executor import ExecutionError, ExecutionRecord, Executor
from kops.engine.graph import GraphError, TaskGraph
from kops.engine.hcl import Block, Expr
from kops.engine.lifecycle import Lifecycle
from kops.engine.plan import Action, Change, Plan, StalePlanError, load_plan, save_plan, verify_plan
from kops.engine.reconcile import ImmutableFieldError, SharedResourceError
from kops.engine.retry import CloudErrors, Retrier, RetryPolicy
from kops.engine.task import Changes, Task, TaskKey

__all__ = [
    "Action", "Block", "Change", "Changes", "CloudErrors", "Context", "Discovery", "ExecutionError", "ExecutionRecord", "Executor", "Expr",
    "GraphError", "ImmutableFieldError", "Lifecycle", "Plan", "Retrier", "RetryPolicy", "SharedResourceError", "Snapshot",
    "StalePlanError", "Task", "TaskGraph", "TaskKey", "load_plan", "save_plan", "verify_plan",
]
