"""``kops update cluster`` and ``kops delete cluster``: from the stored spec to a plan, an apply or Terraform.

The stages never reach across: the stored spec is completed by the inference rules, the completed
spec and bootstrap facts become a :class:`kops.model.ModelContext`, the plugins' model builders turn
that into tasks, and an engine target plans, applies or writes them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kops.errors import KopsError

T = TypeVar("T")
log = logging.getLogger(__name__)

#: How long the cluster's update lease lasts without renewal; a running apply renews it every third of that,
#: so a run that died stops blocking others within this time (at once on the same machine).
LEASE_SECONDS = 120
#: How long a run waits for another run's update lease before giving up.
LEASE_WAIT_SECONDS = 600
#: Resources applied at once. Cloud calls are mostly waiting on the network, so many can be in flight;
#: throttling that this provokes is retried with backoff by the executor.
APPLY_WORKERS = 24


@dataclass
class Prepared:
    model: Any
    tasks: list[Any]
    #: The cluster's state store: where boot files (:class:`kops.tasks.managed_file.ManagedFile`) are written.
    store: Any = None
    warnings: list[str] = field(default_factory=list)
    #: The cluster is reached at its API load balancer's addresses (:func:`needs_api_addresses`), which do not
    #: exist yet: the boot files were built without them, and an apply makes the load balancer first.
    api_addresses_pending: bool = False
    _context: Any = None

    @property
    def context(self) -> Any:
        """The run's engine context, made once: its clients and listings serve the whole run."""
        if self._context is None:
            from kops.tasks import managed_file

            ctx = self.model.cloud.engine_context(self.model)
            if self.model.target != "terraform":
                ctx.store = self.store
                ctx.snapshot.register(managed_file.KIND, managed_file.lister(self.store, self.model.cluster_name))
            self._context = ctx
        return self._context


def load_model(registry: Any, name: str, target: str, from_cloud: bool = False) -> tuple[Any, list[str]]:
    """Read, complete and validate the cluster into a :class:`kops.model.ModelContext` (no boot files, no
    tasks: enough to find what the cluster owns). No cloud call happens here unless ``from_cloud``: then what the
    spec leaves to the cloud (a shared subnet's zone and CIDR...) is read first
    (:meth:`kops.cloud.CloudProvider.fill_from_cloud`)."""
    from kops import api, plugins
    from kops.addons import ClusterSecrets
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster, complete_instance_groups
    from kops.model import ModelContext
    from kops.validation import check

    state = registry.get(name)
    cloud_name = state.cluster.spec.cloudProvider or ""
    if not cloud_name:
        raise KopsError(f"Cluster/{name}: spec.cloudProvider: required")
    cloud = plugins.load_driver("cloud", cloud_name)()
    check(state.cluster, state.instance_groups)
    channel = load_channel(state.cluster.spec.channel or "stable")
    warnings: list[str] = []
    groups = sorted(state.instance_groups, key=lambda g: g.metadata.name)
    user_tree = api.to_dict(state.cluster)
    # Where the cluster's files live, as upstream derives it for manifests that do not say.
    user_tree["spec"].setdefault("configBase", registry.store.url.rstrip("/") + "/" + name)
    if from_cloud:
        cloud.fill_from_cloud(user_tree)
    tree = complete_cluster(user_tree, [api.to_dict(g) for g in groups], cloud, channel, warnings)
    completed = api.from_dict(tree, source=f"Cluster/{name} (completed)")
    # Groups stored without a machine type or image get the cloud's and the channel's, as upstream.
    groups = [api.from_dict(g, source=f"InstanceGroup/{g['metadata']['name']}")
              for g in complete_instance_groups(tree, [api.to_dict(g) for g in groups], cloud, channel)]
    check(completed, groups)
    model = ModelContext(
        cluster_name=name, cluster=completed, instance_groups=groups, cloud=cloud, state_url=registry.store.url,
        target=target,
        firewall_rules=plugins.collect(plugins.hook().kops_firewall_rules(cluster=completed)),
        ssh_public_keys=registry.ssh_keys(name),
        store_id=registry.ensure_store_id(name),
        # Read only when an add-on asks for a secret (Cilium's IPsec keys); a missing one refuses the update then,
        # while the boot files are built and before anything is written.
        secrets=ClusterSecrets(registry.store, name),
    )
    return model, warnings


@dataclass(frozen=True)
class Selection:
    """What an update is limited to (``--instance-group``, ``--instance-group-roles``) and the lifecycles it
    forces on task types (``--lifecycle-overrides SecurityGroup=ExistsAndWarnIfChanges``), as upstream: a task
    left out is ``Ignore``d (not looked up, not changed, not deleted), so the other groups' machines are untouched.
    """

    instance_groups: tuple[str, ...] = ()
    #: Roles as :func:`kops.model.role_of` spells them.
    roles: tuple[str, ...] = ()
    #: Task type name (``SecurityGroup``) -> :class:`kops.engine.Lifecycle`.
    lifecycle_overrides: tuple[tuple[str, Any], ...] = ()

    def apply(self, model: Any, tasks: list[Any]) -> None:
        from kops.engine import Lifecycle
        from kops.model import role_of

        names = {g.metadata.name for g in model.instance_groups}
        unknown = sorted(set(self.instance_groups) - names)
        if unknown:
            raise KopsError(f"--instance-group: no instance group {', '.join(unknown)} in cluster "
                            f"{model.cluster_name} (it has {', '.join(sorted(names))})")
        if self.instance_groups or self.roles:
            chosen = {g.metadata.name for g in model.instance_groups
                      if (not self.instance_groups or g.metadata.name in self.instance_groups)
                      and (not self.roles or role_of(g) in self.roles)}
            for task in tasks:
                group = model.group_of.get(task.task_key)
                if group is not None and group not in chosen:
                    task.lifecycle = Lifecycle.IGNORE
        types = {t.type_name for t in tasks}
        for type_name, lifecycle in self.lifecycle_overrides:
            if type_name not in types:
                raise KopsError(f"--lifecycle-overrides: no task of type {type_name!r} in this cluster (types: "
                                f"{', '.join(sorted(types))})")
            for task in tasks:
                if task.type_name == type_name:
                    task.lifecycle = lifecycle


def prepare(registry: Any, name: str, target: str, selection: Selection | None = None) -> Prepared:
    """:func:`load_model`, plus the files nodes boot from and the cluster's tasks (limited by ``selection``)."""
    from kops import api, plugins
    from kops.bootstrap import bootstrap_files, user_data

    model, warnings = load_model(registry, name, target, from_cloud=target != "terraform")
    if not model.cloud.creates_resources:
        model.cloud.engine_context(model)  # raises the driver's one-line reason
    cloud_name = model.cluster.spec.cloudProvider
    builders = plugins.collect(plugins.hook().kops_model_builders(cluster=model.cluster, cloud=cloud_name))
    if not builders:
        raise KopsError(f"cloud {cloud_name}: its plugin contributes no model builders, so kops cannot create "
                        "its resources")
    prepared = Prepared(model, [], registry.store, warnings)
    _api_addresses(prepared)
    model.bootstrap_files = bootstrap_files(model, api.dump_yaml(model.cluster))
    _account_facts(prepared)
    # User data pins each group's nodeup configuration as it is stored (account facts filled in).
    model.user_data = {g.metadata.name: user_data(model, g) for g in model.instance_groups}
    for builder in builders:
        model.add(builder.build(model))  # each builder finds what the builders before it made
    prepared.tasks = model.tasks
    if selection is not None:
        selection.apply(model, prepared.tasks)
    return prepared


def needs_api_addresses(model: Any) -> bool:
    """Whether clients reach the cluster's API at its load balancer's own addresses: no DNS name is published
    (``spec.networking.topology.dns.type: None``) and the API has a load balancer."""
    from kops.addons.facts import dns_type

    spec = model.cluster.spec
    return (dns_type(model.cluster) == "None" and model.cloud.api_load_balancers and spec.api is not None
            and spec.api.loadBalancer is not None)


def _api_addresses(prepared: Prepared) -> None:
    """Ask the cloud for the API load balancer's addresses where the API server's certificate must name them.
    Terraform output makes no cloud call and leaves them out, as upstream's does."""
    model = prepared.model
    if model.target == "terraform" or not needs_api_addresses(model):
        return
    ctx = prepared.context
    model.api_addresses = sorted(with_retries(ctx, lambda: model.cloud.api_addresses(model.cluster)))
    prepared.api_addresses_pending = not model.api_addresses


def _account_facts(prepared: Prepared) -> None:
    """Fill in the cloud account facts boot files name (``${aws_account_id}``); Terraform output leaves them to
    Terraform, which can fill them in only in the files it writes itself."""
    from kops.bootstrap import files_naming, fill_account_facts

    model = prepared.model
    naming = files_naming(model.bootstrap_files, model.cloud.account_fact_names)
    if not naming:
        return
    if model.target == "terraform":
        if not model.cloud.terraform_stores_boot_files(model):
            names = ", ".join(f.path for f in naming)
            prepared.warnings.append(
                f"{names} {'names' if len(naming) == 1 else 'name'} the cloud account, which Terraform fills in only where it writes the files itself "
                f"(not in {model.state_url}): run kops update cluster --yes once to have kops write them")
        return
    ctx = prepared.context
    values = with_retries(ctx, lambda: model.cloud.account_facts(ctx))
    model.bootstrap_files = fill_account_facts(model.bootstrap_files, values)


def write_bootstrap_files(registry: Any, prepared: Prepared) -> None:
    """Store the completed spec and the files nodes read at boot, all in one atomic commit (for Terraform output,
    whose configuration holds no boot files; plans and applies manage them as tasks)."""
    name = prepared.model.cluster_name
    writes: dict[str, bytes | None] = {}
    private: set[str] = set()
    for f in prepared.model.bootstrap_files:
        path = f"{name}/{f.path}"
        writes[path] = f.content
        if f.private:
            private.add(path)
    registry.store.commit(writes, private=private)


def lease_owner() -> str:
    return f"{os.environ.get('USER', 'kops')}@{socket.gethostname()}:{os.getpid()}"


def _holder_is_gone(owner: str) -> bool:
    """Whether a lease holder was a process on this machine that no longer runs."""
    host_pid = owner.rsplit("@", 1)[-1]
    host, _, pid = host_pid.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


#: The update leases this process holds, by (state store, cluster name).
_HELD: dict[tuple[int, str], Any] = {}


@contextlib.contextmanager
def update_lease(registry: Any, name: str, wait: float = LEASE_WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> Iterator[Any]:
    """Hold the cluster's update lease, renewing it in the background while the ``with`` block runs.

    Another run's lease is waited for (saying so once) for up to ``wait`` seconds, then refused: whoever takes
    the lease next reads the spec as the run before it left it. Within a run that already holds it (a rolling
    update applying the cluster to replace machines), the lease is that run's: it is not taken again.
    """
    from kops.state import LeaseHeld

    key = (id(registry.store), name)
    if key in _HELD:
        yield _HELD[key]
        return
    deadline = time.monotonic() + wait
    told = False
    while True:
        lease = registry.store.lease(f"update-{name}", lease_owner(), LEASE_SECONDS, stale=_holder_is_gone)
        try:
            held = lease.__enter__()
            break
        except LeaseHeld as exc:
            if time.monotonic() >= deadline:
                raise
            if not told:
                log.warning("waiting for another run of kops on cluster %s (%s held by %s)", name, exc.name,
                            exc.owner)
                told = True
            sleep(min(2.0, max(0.1, deadline - time.monotonic())))
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LEASE_SECONDS / 3):
            held.renew(LEASE_SECONDS)

    renewer = threading.Thread(target=renew, name="kops-lease", daemon=True)
    renewer.start()
    _HELD[key] = held
    try:
        yield held
    finally:
        del _HELD[key]
        done.set()
        renewer.join()
        lease.__exit__(None, None, None)


def plan(prepared: Prepared, claim: bool = False) -> Any:
    """The plan of a run: what an apply would change, with what it would adopt or claim (see :func:`ownership`)."""
    from kops.engine.targets.dryrun import DryRunTarget

    notes = ownership(prepared.context, prepared.model, claim)
    if prepared.api_addresses_pending:
        notes.append(PENDING_NOTE if _api_address_tasks(prepared.model) else LATE_NOTE)
    return _noted(DryRunTarget().run(prepared.context, prepared.tasks), notes)


def apply(registry: Any, name: str, expect: Any = None, claim: bool = False,
          selection: Selection | None = None) -> tuple[Prepared, Any]:
    """Read, complete and apply the cluster, all under its update lease: an apply that waited for another one
    works on the spec as that one left it, never on an older reading. Returns the run and its result."""
    from kops.engine import Action, Executor, Plan
    from kops.engine.targets.direct import DirectTarget

    with update_lease(registry, name):
        prepared = prepare(registry, name, "direct", selection)
        notes = ownership(prepared.context, prepared.model, claim)
        first = None
        if prepared.api_addresses_pending:
            first = _make_api_address_resources(prepared, expect)
            if first is not None:
                expect = None  # checked against the whole run, before its first part
                prepared = prepare(registry, name, "direct", selection)
            if prepared.api_addresses_pending:
                prepared.warnings.append(LATE_NOTE)
        result = DirectTarget(Executor(max_workers=APPLY_WORKERS), expect=expect).run(prepared.context,
                                                                                       prepared.tasks)
        if first is not None:
            done = {c.label for c in first.changes}
            changes = sorted([*first.changes, *(c for c in result.plan.changes if c.label not in done)],
                             key=lambda c: (c.action == Action.DELETE, c.type, c.name))  # as a plan orders them
            result.plan = Plan(changes, result.plan.warnings, {**first.resources, **result.plan.resources})
        result.plan = _noted(result.plan, notes)
        return prepared, result


def _make_api_address_resources(prepared: Prepared, expect: Any) -> Any:
    """An apply's first part for a cluster reached at its API load balancer's addresses, which the control plane's
    nodeup configuration names: make the load balancer (and what it needs) so the cloud can report them, after
    checking a saved plan (``expect``) against the whole run. Returns what this part changed, as a plan; None when
    the cloud names no such resources or the run leaves them out (``--lifecycle-overrides``)."""
    from kops.engine import Executor, verify_plan
    from kops.engine.targets.direct import DirectTarget
    from kops.engine.targets.dryrun import DryRunTarget

    chosen = _api_address_tasks(prepared.model)
    if not chosen:
        return None
    if expect is not None:
        verify_plan(expect, DryRunTarget().run(prepared.context, prepared.tasks))
    return DirectTarget(Executor(max_workers=APPLY_WORKERS)).run(prepared.context, _with_dependencies(chosen)).plan


def _api_address_tasks(model: Any) -> list[Any]:
    from kops.engine import Lifecycle

    return [t for t in model.cloud.api_address_tasks(model) if t.lifecycle != Lifecycle.IGNORE]


#: How a plan says that the control plane's nodeup configuration lacks what an apply puts in it.
PENDING_NOTE = ("the API load balancer does not exist yet, so this plan shows the control plane's nodeup "
                "configuration (and the user data pinning it) without its addresses: kops update cluster --yes "
                "makes the load balancer first, then writes them into ApiserverAdditionalIPs for the API server's "
                "certificate")
#: Where the addresses cannot be had in this run: the certificate names them after a later update.
LATE_NOTE = ("the cloud reports no address for the API load balancer yet, so the API server's certificate does "
             "not name it (ApiserverAdditionalIPs): run kops update cluster --yes again once it exists")


def _with_dependencies(tasks: list[Any]) -> list[Any]:
    """``tasks`` and everything they depend on, directly or not."""
    found: dict[Any, Any] = {}
    todo = list(tasks)
    while todo:
        task = todo.pop()
        if task.task_key not in found:
            found[task.task_key] = task
            todo += task.dependencies()
    return list(found.values())


def terraform(registry: Any, name: str, out_dir: str, selection: Selection | None = None) -> Prepared:
    """Write the cluster's Terraform configuration, and the boot files it does not hold, under the update lease."""
    from kops.engine.targets.terraform import TerraformTarget

    with update_lease(registry, name):
        prepared = prepare(registry, name, "terraform", selection)
        cloud = prepared.model.cloud
        if not cloud.writes_terraform:
            raise KopsError(f"cloud {cloud.name}: kops writes no Terraform for its resources; apply them with kops "
                            "update cluster --yes")
        write_bootstrap_files(registry, prepared)
        TerraformTarget(out_dir, prepared.model.cloud.terraform_writer(prepared.model)).run(prepared.context,
                                                                                           prepared.tasks)
        return prepared


def owned(model: Any, claim: bool = False) -> tuple[Any, list[Any], list[str]]:
    """The engine context, a deletion task for every resource the cluster owns in the cloud, and what deleting
    them means for the resources of other state stores (see :func:`ownership`)."""
    ctx = model.cloud.engine_context(model)
    doomed = with_retries(ctx, lambda: model.cloud.owned_resources(ctx, model))
    return ctx, doomed, ownership(ctx, model, claim, deleting=True)


def ownership(ctx: Any, model: Any, claim: bool, deleting: bool = False) -> list[str]:
    """Refuse to touch resources another state store made (:class:`kops.ownership.ForeignStoreError`) unless
    ``claim``; return the plan's notes on resources adopted (made without a store ID) or claimed."""
    from kops.ownership import verdict

    found = with_retries(ctx, lambda: model.cloud.resource_store_ids(ctx, model))
    return verdict(found, model.cluster_name, model.store_id, claim, deleting)


def _noted(plan: Any, notes: list[str]) -> Any:
    from kops.engine import Plan

    return Plan(plan.changes, [*notes, *plan.warnings], plan.resources) if notes else plan


def with_retries(ctx: Any, call: Callable[[], T]) -> T:
    """Run a listing or lookup outside the executor with the same patience for the cloud's errors (the one retry
    loop, :class:`kops.engine.retry.Retrier`). A listing that failed is not cached by the run's snapshot, so
    trying again asks the cloud again."""
    from kops.engine.retry import Retrier

    return Retrier(errors=ctx.errors).call(call)
