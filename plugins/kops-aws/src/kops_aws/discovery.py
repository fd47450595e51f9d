"""Discovery for AWS: one listing per resource kind per run, filtered by the cluster's tags.

Each task module registers a lister for its kind at import time::

    @register("vpc")
    def list_vpcs(api: AWSApi, cluster_name: str) -> list[dict]:
        return paginate(api.ec2, "describe_vpcs", "Vpcs", Filters=tag_filters(cluster_name))

A lister returns the raw dicts the API gave (with tags still in AWS's ``[{"Key", "Value"}]`` form), for
every resource tagged for the cluster, owned or shared. :func:`snapshot_for` gathers every
registered kind into the engine's :class:`~kops.engine.Snapshot`, which calls each lister at most once
per run, on first use.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from kops.engine import Snapshot, Task
from kops.ownership import STORE_TAG

from kops_aws.tags import TAG_NAME, from_aws, is_owned, ownership_key

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kops_aws.awsapi import AWSApi

Lister = Callable[["AWSApi", str], list[dict[str, Any]]]
#: Turns the run's listings into deletion tasks for what the cluster owns: ``(snapshot, cluster_name)``.
DeletionFactory = Callable[[Snapshot, str], list[Task]]

_LISTERS: dict[str, Lister] = {}
_DELETERS: dict[str, DeletionFactory] = {}

#: The package whose modules register listers and deletion factories when imported: every task module.
TASK_PACKAGE = "kops_aws.tasks"


def register(kind: str, lister: Lister | None = None) -> Any:
    """Register ``lister`` for ``kind``; used bare (``register("vpc", f)``) or as a decorator."""
    def add(fn: Lister) -> Lister:
        existing = _LISTERS.get(kind)
        if existing is not None and existing is not fn:
            raise ValueError(f"a lister for {kind!r} is already registered ({existing.__module__})")
        _LISTERS[kind] = fn
        return fn

    return add(lister) if lister is not None else add


def register_deletions(name: str, factory: DeletionFactory | None = None) -> Any:
    """Register a deletion factory under a unique ``name`` (bare or as a decorator).

    The factory reads the listings it needs from the snapshot (``snapshot.get("vpc")``) and returns a task
    per resource the cluster owns (:func:`kops_aws.tags.is_owned`), each with its cloud ID set, so ``find``
    locates it by ID. A
    reference to another resource may be a placeholder task of the right type carrying only that
    resource's ID: :func:`deletion_tasks` swaps it for the real deletion task, which orders the deletes.
    """
    def add(fn: DeletionFactory) -> DeletionFactory:
        existing = _DELETERS.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"deletions named {name!r} are already registered ({existing.__module__})")
        _DELETERS[name] = fn
        return fn

    return add(factory) if factory is not None else add


def deletion_tasks(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    """Deletion tasks for everything the cluster owns, across every kind, linked to each other by ID."""
    load_task_modules()
    tasks: list[Task] = []
    for _, factory in sorted(_DELETERS.items()):
        tasks.extend(factory(snapshot, cluster_name))
    by_id = {(t.type_name, t.cloud_id): t for t in tasks if t.cloud_id is not None}
    for task in tasks:
        for f in dataclasses.fields(task):
            value = getattr(task, f.name)
            setattr(task, f.name, _linked(value, by_id))
    return tasks


def store_ids(snapshot: Snapshot, cluster_name: str) -> dict[str, str | None]:
    """The state-store ID (:data:`kops.ownership.STORE_TAG`) of every listed resource the cluster owns, by a label
    naming its kind and its Name tag or ID."""
    load_task_modules()
    found: dict[str, str | None] = {}
    for kind in sorted(_LISTERS):
        for raw in snapshot.get(kind):
            tags = from_aws(raw.get("Tags"))
            if is_owned(tags, cluster_name):
                found[f"{kind} {_label(raw, tags)}"] = tags.get(STORE_TAG)
    return found


def _label(raw: dict[str, Any], tags: dict[str, str]) -> str:
    ident = next((str(v) for k, v in raw.items() if k.endswith(("Id", "Arn", "Name")) and isinstance(v, str)), "")
    return " ".join(dict.fromkeys(x for x in (tags.get(TAG_NAME), ident) if x)) or "(unnamed)"


def _linked(value: Any, by_id: dict[tuple[str, Any], Task]) -> Any:
    if isinstance(value, Task):
        return by_id.get((value.type_name, value.cloud_id), value) if value.cloud_id is not None else value
    if isinstance(value, list):
        return [_linked(v, by_id) for v in value]
    return value


def kinds() -> list[str]:
    """Every registered kind, after importing all task modules (which register themselves)."""
    load_task_modules()
    return sorted(_LISTERS)


def load_task_modules() -> None:
    """Import every module of :data:`TASK_PACKAGE`, so each one's lister is registered."""
    import pkgutil

    package = importlib.import_module(TASK_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{TASK_PACKAGE}.{info.name}")


def snapshot_for(api: AWSApi, cluster_name: str) -> Snapshot:
    """A fresh snapshot for one run: every registered kind, listed lazily at most once."""
    load_task_modules()
    return Snapshot({kind: partial(lister, api, cluster_name) for kind, lister in sorted(_LISTERS.items())})


def tag_filters(cluster_name: str) -> list[dict[str, Any]]:
    """EC2-style ``Filters`` selecting resources tagged ``kubernetes.io/cluster/<name>`` (owned or shared)."""
    return [{"Name": "tag-key", "Values": [ownership_key(cluster_name)]}]


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item under ``key`` across all pages of ``operation`` (or its single response)."""
    if client.can_paginate(operation):
        items: list[dict[str, Any]] = []
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
        return items
    return list(getattr(client, operation)(**kwargs).get(key, []))


def ec2_tagged(api: AWSApi, cluster_name: str, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """An EC2 describe call (all pages) filtered server-side by the cluster's ownership tag.

    ``Filters`` in ``kwargs`` are added to the tag filter. Resources carrying only the legacy
    ``KubernetesCluster`` tag (clusters made before Kubernetes 1.6) are not listed: one call per kind.
    """
    extra = list(kwargs.pop("Filters", []))
    return paginate(api.ec2, operation, key, Filters=[*tag_filters(cluster_name), *extra], **kwargs)
