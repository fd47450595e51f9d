"""Inference rules: small functions that complete a cluster spec, registered through a hook.

Stages, as upstream kOps has them:

``create``
    What ``kops create cluster`` builds from its flags (upstream's NewCluster): subnets per zone,
    instance groups, etcd clusters, networking, topology, API access. Only runs at creation.
``assign``
    Values that must be fixed once and stay stable (upstream's PerformAssignments): the network
    and subnet CIDRs, the non-masquerade CIDR, the API's public name. Runs at creation, after
    ``--set``/``--unset``, and again before every update.
``complete``
    The full configuration of every component, stored as ``cluster-completed.spec`` at update time
    and never shown to the user as their spec.

Rules run by stage, then ``order``, then name. A rule fills fields with :meth:`InferenceContext.default`,
which never overwrites a value the user set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kops.inference import tree

STAGES = ("create", "assign", "complete")


@dataclass
class InferenceContext:
    """What a rule sees: the cluster and instance groups as YAML trees, and where they come from."""

    cluster: dict[str, Any]
    instance_groups: list[dict[str, Any]] = field(default_factory=list)
    #: The ``kops create cluster`` flags (:class:`kops.create.options.CreateClusterOptions`); None after creation.
    options: Any = None
    #: The cloud driver (:class:`kops.cloud.CloudProvider`), or None for clouds nobody installed.
    cloud: Any = None
    #: The release channel (:class:`kops.channels.Channel`).
    channel: Any = None
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.cluster["metadata"]["name"])

    @property
    def spec(self) -> dict[str, Any]:
        return tree.ensure(self.cluster, "spec")

    @property
    def cloud_name(self) -> str:
        return str(self.spec.get("cloudProvider") or "")

    def cloud_has(self, attribute: str) -> bool:
        """A true/false fact of the cloud driver (:class:`kops.cloud.CloudProvider`); false when none is installed."""
        return bool(getattr(self.cloud, attribute, False))

    def get(self, path: str, fallback: Any = None) -> Any:
        return tree.get(self.cluster, path, fallback)

    def default(self, path: str, value: Any) -> Any:
        return tree.default(self.cluster, path, value)

    def subnets(self) -> list[dict[str, Any]]:
        return self.spec.setdefault("subnets", [])

    def add_instance_group(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        ig = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup",
              "metadata": {"name": name, "labels": {"kops.k8s.io/cluster": self.name}}, "spec": spec}
        self.instance_groups.append(ig)
        return ig

    def groups_with_role(self, *roles: str) -> list[dict[str, Any]]:
        return [ig for ig in self.instance_groups if (ig.get("spec") or {}).get("role") in roles]


@dataclass(frozen=True)
class Rule:
    name: str
    stage: str
    order: int
    func: Callable[[InferenceContext], None]
    #: Clouds the rule applies to; empty means every cloud.
    clouds: frozenset[str] = frozenset()

    def applies(self, ctx: InferenceContext) -> bool:
        return not self.clouds or ctx.cloud_name in self.clouds


def rule(stage: str, order: int, *, clouds: tuple[str, ...] = (), name: str | None = None
         ) -> Callable[[Callable[[InferenceContext], None]], Rule]:
    """Declare a rule: ``@rule("create", 30)`` over ``def subnets_per_zone(ctx): ...``."""
    if stage not in STAGES:
        raise ValueError(f"unknown inference stage {stage!r}")

    def wrap(func: Callable[[InferenceContext], None]) -> Rule:
        return Rule(name or f"{func.__module__}.{func.__name__}", stage, order, func, frozenset(clouds))

    return wrap


def all_rules() -> list[Rule]:
    """Core rules plus every plugin's, in running order."""
    from kops import plugins
    from kops.inference.core_rules import core_rules

    rules = core_rules() + [r for r in plugins.collect(plugins.hook().kops_inference_rules()) if isinstance(r, Rule)]
    return sorted(rules, key=lambda r: (STAGES.index(r.stage), r.order, r.name))


def run_stage(stage: str, ctx: InferenceContext) -> None:
    for r in all_rules():
        if r.stage == stage and r.applies(ctx):
            r.func(ctx)
