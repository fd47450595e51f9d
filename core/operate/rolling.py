"""``kops rolling-update cluster`` and ``kops delete instance``: replacing a cluster's machines, as upstream's
``pkg/instancegroups`` does, cloud-neutral (the cloud is reached through the driver's typed contract).

Order: control-plane groups first, one machine at a time (a control plane cannot surge: it registers through its
own API server, which needs its etcd member), then API server groups, bastions, and node groups. In a group, the
machines needing an update (all of them with ``--force``) go in waves of ``maxSurge + maxUnavailable``
(``spec.rollingUpdate`` of the group, else of the cluster; ``maxSurge`` defaults to the cloud's
:attr:`~kops.cloud.CloudProvider.default_max_surge`, ``maxUnavailable`` to 1 when there is no surge, else 0; a
percentage is of the machines to replace, surge rounded up and unavailability down). Each wave:

1. surge: up to ``maxSurge`` of its machines are detached, so the group launches their replacements first, and the
   cluster is validated until they have joined;
2. its nodes are drained in parallel (:mod:`kops.operate.drain`), then, after ``--post-drain-delay``, its machines
   are deleted; the group (never resized) replaces them, or, on a cloud that does not
   (:attr:`~kops.cloud.CloudProvider.replaces_instances`), kops applies the cluster to make them, as upstream;
3. after the group's interval, the cluster is validated ``--validate-count`` times in a row (its groups full
   again, every machine joined, every node Ready, critical pods running) within ``--validation-timeout``.

Nodes to be replaced are first tainted ``PreferNoSchedule`` so moved pods avoid them. ``--cloudonly`` neither
drains nor validates.

It is resumable: the cloud's state is the only record. A run stopped at any point and started again finds the
machines still to replace (those already deleted are gone; those detached are listed as such and taken first,
counting against the surge), so nothing is deleted twice and no group is left with a detached machine.

Clock and sleep are injected: tests decide how time passes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kops.cloud import CloudInstance, CloudInstanceGroup
from kops.errors import KopsError
from kops.model import API_SERVER, BASTION, CONTROL_PLANE, NODE, role_of

#: The order roles are replaced in.
ROLE_ORDER = (CONTROL_PLANE, API_SERVER, BASTION, NODE)
@dataclass
class Options:
    """The flags of ``kops rolling-update cluster``, in seconds where they are durations (upstream's defaults)."""

    cloud_only: bool = False
    force: bool = False
    #: Only these instance groups (all when empty).
    instance_groups: tuple[str, ...] = ()
    #: Only groups of these roles (``ControlPlane``, ``APIServer``, ``Node``, ``Bastion``; all when empty).
    roles: tuple[str, ...] = ()
    drain_timeout: float = 900.0
    post_drain_delay: float = 5.0
    validation_timeout: float = 900.0
    validate_count: int = 2
    node_interval: float = 15.0
    control_plane_interval: float = 15.0
    bastion_interval: float = 15.0
    fail_on_drain_error: bool = True
    fail_on_validate_error: bool = True
    #: Seconds between validations while waiting for the cluster to validate.
    validate_tick: float = 5.0


@dataclass
class GroupPlan:
    """One group's share of a rolling update: its machines to replace, detached ones first."""

    group: CloudInstanceGroup
    update: list[CloudInstance] = field(default_factory=list)

    @property
    def role(self) -> str:
        return role_of(self.group.instance_group)

    @property
    def status(self) -> str:
        return "NeedsUpdate" if self.update else "Ready"

    def row(self) -> list[Any]:
        """``NAME STATUS NEEDUPDATE READY MIN TARGET MAX``, as upstream's table."""
        group = self.group
        return [group.name, self.status, len(self.update), len(group.instances) - len(self.update),
                group.min_size, group.target_size, group.max_size]


def plan(groups: list[CloudInstanceGroup], options: Options) -> list[GroupPlan]:
    """The groups the options select, in the order they are replaced, each with its machines to replace."""
    known = {g.name for g in groups}
    unknown = sorted(set(options.instance_groups) - known)
    if unknown:
        raise KopsError(f"--instance-group: no instance group {', '.join(unknown)} (the cluster has "
                        f"{', '.join(sorted(known)) or 'none'})")
    chosen = [g for g in groups if (not options.instance_groups or g.name in options.instance_groups)
              and (not options.roles or role_of(g.instance_group) in options.roles)]
    plans = []
    for group in sorted(chosen, key=lambda g: (ROLE_ORDER.index(role_of(g.instance_group)), g.name)):
        update = list(group.instances) if options.force else group.needing_update
        plans.append(GroupPlan(group, sorted(update, key=lambda i: (not i.detached, i.id))))
    return plans


def scaled(value: Any, total: int, round_up: bool) -> int:
    """An ``IntOrString`` of ``spec.rollingUpdate`` as a number of machines out of ``total``."""
    text = str(value).strip()
    if text.endswith("%"):
        try:
            share = float(text[:-1]) * total / 100
        except ValueError:
            raise KopsError(f"spec.rollingUpdate: {text!r} is not a number or a percentage") from None
        return math.ceil(share) if round_up else math.floor(share)
    try:
        return max(0, int(text))
    except ValueError:
        raise KopsError(f"spec.rollingUpdate: {text!r} is not a number or a percentage") from None


def surge_and_unavailable(cluster: Any, group: Any, cloud: Any, count: int) -> tuple[int, int]:
    """(machines to launch first, machines that may be missing) when replacing ``count`` of ``group``'s."""
    settings = [s for s in ((group.spec.rollingUpdate if group.spec else None), cluster.spec.rollingUpdate) if s]
    surge = next((s.maxSurge for s in settings if s.maxSurge is not None), cloud.default_max_surge)
    unavailable = next((s.maxUnavailable for s in settings if s.maxUnavailable is not None), None)
    if unavailable is None:
        unavailable = 1 if scaled(surge, max(count, 1), True) == 0 else 0
    return min(scaled(surge, count, True), count), scaled(unavailable, count, False)


class Progress:
    """What a rolling update says while it works: lines on stderr, and a spinner during long waits on a terminal
    (rich)."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say

    @contextmanager
    def waiting(self, message: str) -> Iterator[None]:
        import sys

        if not sys.stderr.isatty():
            self.say(message)
            yield
            return
        from rich.console import Console

        with Console(stderr=True).status(message):
            yield


class RollingUpdate:
    """Replace machines of the cluster ``state`` (:class:`kops.operate.clusterstate.ClusterState`)."""

    def __init__(self, state: Any, options: Options, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, say: Callable[[str], None] = lambda _: None,
                 confirm: Callable[[CloudInstance], bool] | None = None):
        self.state, self.options = state, options
        self._sleep, self._clock = sleep, clock
        self.progress = Progress(say)
        #: Asked before each machine goes (``--interactive``); False stops the update.
        self.confirm = confirm
        self._drainer: Any = None

    @property
    def use_api(self) -> bool:
        return not self.options.cloud_only

    def run(self, plans: list[GroupPlan]) -> None:
        """Replace every planned machine; a group with nothing to replace is passed over."""
        pending = [p for p in plans if p.update]
        if not pending:
            return
        if self.use_api:
            self.validate("before the rolling update", count=1, timeout=0)
        for p in pending:
            self.roll(p.group, p.update)

    def roll(self, group: CloudInstanceGroup, update: list[CloudInstance], surge: int | None = None) -> None:
        """Replace ``update`` of ``group``'s machines, in waves (see the module docstring). ``surge`` overrides the
        spec's (``kops delete instance --surge``)."""
        role = role_of(group.instance_group)
        model = self.state.model
        if surge is None:
            surge, unavailable = surge_and_unavailable(model.cluster, group.instance_group, model.cloud, len(update))
        else:
            unavailable = 0 if surge else 1
        if role == CONTROL_PLANE:
            surge, unavailable = 0, 1  # one at a time, and no surge
        if self.confirm is not None:
            surge, unavailable = min(surge, 1), 1 - min(surge, 1)
        concurrency = surge + unavailable
        if concurrency == 0:
            self.progress.say(f"instance group {group.name}: rolling updates are disabled (maxSurge and "
                              "maxUnavailable are both 0)")
            return
        interval = {CONTROL_PLANE: self.options.control_plane_interval, API_SERVER: self.options.control_plane_interval,
                    BASTION: self.options.bastion_interval}.get(role, self.options.node_interval)
        self.progress.say(f"instance group {group.name}: replacing {len(update)} machine(s), {concurrency} at a time"
                          + (f", launching {surge} first" if surge else ""))
        if self.use_api:
            for instance in update:
                if instance.node is not None:
                    self.drainer.taint(instance.node)
        for start in range(0, len(update), concurrency):
            wave = update[start:start + concurrency]
            if self.confirm is not None and not all(self.confirm(i) for i in wave):
                raise KopsError("rolling update stopped (interactive)")
            self._surge(group, wave, surge)
            self._drain(wave, role)
            for instance in wave:
                self.progress.say(f"instance group {group.name}: deleting {_named(instance)}")
                self.state.model.cloud.delete_instance(instance)
            self._replace(group)
            if interval:
                self._sleep(interval)
            if self.use_api:
                self.validate(f"after deleting {', '.join(_named(i) for i in wave)}")

    def _surge(self, group: CloudInstanceGroup, wave: list[CloudInstance], surge: int) -> None:
        """Detach up to ``surge`` of the wave's machines (those already detached count) and wait for their
        replacements to join."""
        budget = surge - sum(1 for i in wave if i.detached)
        detached = 0
        for instance in wave:
            if budget <= 0:
                break
            if not instance.detached:
                self.progress.say(f"instance group {group.name}: detaching {_named(instance)} so its replacement "
                                  "starts first")
                self.state.model.cloud.detach_instance(instance)
                instance.detached = True
                budget -= 1
                detached += 1
        if detached:
            self._replace(group)
        if detached and self.use_api:
            self.validate(f"for the machines replacing {detached} detached one(s) of {group.name} to join")

    def _replace(self, group: CloudInstanceGroup) -> None:
        """Where the cloud does not replace a group's machines itself, make the missing ones now (an apply)."""
        if self.state.model.cloud.replaces_instances:
            return
        with self.progress.waiting(f"instance group {group.name}: making the replacement machines"):
            self.state.reconcile()

    def _drain(self, wave: list[CloudInstance], role: str) -> None:
        if not self.use_api or role == BASTION:
            return
        names = [i.node_name for i in wave if i.node_name]
        if not names:
            return
        with self.progress.waiting(f"draining {', '.join(names)}"), ThreadPoolExecutor(len(names)) as pool:
            failures = []
            for future in [pool.submit(self.drainer.drain, n) for n in names]:
                try:
                    future.result()
                except Exception as exc:
                    failures.append(self.state.api_error(exc))
        for failure in failures:
            if self.options.fail_on_drain_error:
                raise KopsError(f"{failure} (give --fail-on-drain-error=false to delete it anyway)")
            self.progress.say(f"Warning: {failure}; deleting it anyway")
        if self.options.post_drain_delay:
            self._sleep(self.options.post_drain_delay)

    @property
    def drainer(self) -> Any:
        if self._drainer is None:
            from kops.operate.drain import Drainer

            self._drainer = Drainer(self.state.api_client, timeout=self.options.drain_timeout, sleep=self._sleep,
                                    clock=self._clock, say=self.progress.say)
        return self._drainer

    def validate(self, when: str, count: int | None = None, timeout: float | None = None) -> None:
        """Wait until the cluster validates ``count`` times in a row and every group has its target of machines,
        within ``timeout``; then, or on the first try when ``timeout`` is 0, fail or warn as the options say."""
        count = self.options.validate_count if count is None else count
        timeout = self.options.validation_timeout if timeout is None else timeout
        deadline = self._clock() + timeout
        passed, problems = 0, ["not validated yet"]
        with self.progress.waiting(f"validating the cluster {when}"):
            while True:
                problems = self._problems()
                passed = 0 if problems else passed + 1
                if passed >= max(count, 1) or self._clock() >= deadline:
                    break
                self._sleep(self.options.validate_tick)
        if not problems:
            return
        message = (f"the cluster did not validate {when}"
                   + (f" within {timeout:.0f}s" if timeout else "") + f": {'; '.join(problems[:3])}"
                   + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""))
        if self.options.fail_on_validate_error:
            raise KopsError(message + " (give --fail-on-validate-error=false to go on regardless)")
        self.progress.say(f"Warning: {message}")

    def _problems(self) -> list[str]:
        result = self.state.validate()
        problems = [f.message for f in result.failures]
        for group in result.groups:
            live = sum(1 for i in group.instances if not i.detached)
            if live < group.target_size:
                problems.append(f"instance group {group.name!r} has {live} of its {group.target_size} machines")
        return problems


def _named(instance: CloudInstance) -> str:
    return f"{instance.id} ({instance.node_name})" if instance.node_name else instance.id
