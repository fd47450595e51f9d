"""Helpers for the AWS model tests: a completed cluster from an upstream fixture, and runs against moto.

Upstream's fixtures use the made-up region ``us-test-1``, which moto refuses; :func:`model_for` moves the
cluster to a real region by rewriting its zones.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

import yaml
from kops import plugins
from kops.api import from_dict
from kops.channels import load_channel
from kops.engine import Executor, RetryPolicy
from kops.engine.targets.direct import DirectTarget
from kops.engine.targets.dryrun import DryRunTarget
from kops.inference.completion import complete_cluster
from kops.model import ModelContext
from kops.testing import upstream
from kops_aws.cloud import AWSCloud
from kops_aws.model import AWSModel

#: Upstream's update-cluster cases (see kops.testing.upstream): tests that read them skip where they are missing.
FIXTURES = upstream.root() / "update_cluster"


def load_case(case: str, region: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    text = (upstream.require() / "update_cluster" / case / "in-v1alpha2.yaml").read_text().replace("us-test-1", region)
    docs = [d for d in yaml.safe_load_all(text) if d]
    cluster = next(d for d in docs if d["kind"] == "Cluster")
    return cluster, [d for d in docs if d["kind"] == "InstanceGroup"]


def model_for(case: str, region: str = "us-test-1", target: str = "direct",
              edit: Callable[[dict[str, Any]], None] | None = None) -> ModelContext:
    """The ModelContext ``kops update cluster`` would build for an upstream fixture, moved to ``region``
    (tests against moto must move it: see the module docstring)."""
    cluster, groups = load_case(case, region)
    if edit is not None:
        edit(cluster)
    cloud = AWSCloud()
    completed = from_dict(complete_cluster(cluster, groups, cloud, load_channel(cluster["spec"].get("channel") or "stable")))
    return ModelContext(cluster_name=completed.metadata.name, cluster=completed,
                        instance_groups=[from_dict(g) for g in groups], cloud=cloud, state_url="memfs://tests",
                        target=target,
                        firewall_rules=plugins.collect(plugins.hook().kops_firewall_rules(cluster=completed)))


#: The builders these tests exercise: the network and its firewall (the rest of the model has its own tests).
MODULES = ("network", "firewall")


def build(model: ModelContext, modules: tuple[str, ...] = MODULES) -> list:
    """The tasks of the given model modules, built in order against one shared :class:`AWSModel` (with a task
    registry of their own: each call is a new run)."""
    aws = AWSModel(dataclasses.replace(model, _tasks={}))
    tasks: list = []
    for name in modules:
        built = importlib.import_module(f"kops_aws.model.{name}").BUILDER.build(aws)
        aws.add(built)
        tasks += built
    return tasks


def executor() -> Executor:
    return Executor(8, RetryPolicy(base_delay=0.01, max_delay=0.05, deadline=30))


def plan(model: ModelContext, tasks: list | None = None, deletions: list | None = None) -> Any:
    """A fresh dry run (a new context, so a new snapshot) of the model's tasks."""
    ctx = model.cloud.engine_context(model)
    return DryRunTarget(executor()).run(ctx, build(model) if tasks is None else tasks, deletions or [])


def apply(model: ModelContext, tasks: list | None = None) -> Any:
    ctx = model.cloud.engine_context(model)
    return DirectTarget(executor()).run(ctx, build(model) if tasks is None else tasks)


def delete_owned(model: ModelContext) -> Any:
    """What ``kops delete cluster --yes`` does: delete everything the cluster owns."""
    ctx = model.cloud.engine_context(model)
    doomed = model.cloud.owned_resources(ctx, model)
    return DirectTarget(executor()).run(ctx, [], doomed)


def actions(plan_: Any) -> dict[str, str]:
    """``{"VPC/name": "create", ...}`` for every resource the plan changes."""
    return {c.label: c.action.value for c in plan_.changes if c.action.value != "none"}
