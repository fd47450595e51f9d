"""``kops create -f`` and ``kops replace -f``: manifests with a Cluster, its InstanceGroups and other objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click
from kops.errors import KopsError

CLUSTER_LABEL = "kops.k8s.io/cluster"


@dataclass
class ManifestSet:
    """The objects of one cluster found in the given files."""

    name: str
    cluster: Any = None
    groups: list[Any] = field(default_factory=list)
    additional: list[Any] = field(default_factory=list)


def read_manifests(filenames: list[str]) -> list[ManifestSet]:
    """Parse every file (all before any write) and sort the objects by cluster."""
    from kops import api
    from kops.cli.specs import read_text

    objects: list[tuple[str, Any]] = []
    for filename in filenames:
        for obj in api.load_objects(read_text(filename, "-f"), source=filename):
            objects.append((filename, obj))
    clusters = [o for _, o in objects if isinstance(o, api.Cluster)]
    sets: dict[str, ManifestSet] = {}
    for c in clusters:
        if c.metadata.name in sets:
            raise KopsError(f"Cluster {c.metadata.name!r} appears twice in the given files")
        sets[c.metadata.name] = ManifestSet(c.metadata.name, cluster=c)
    only = next(iter(sets)) if len(sets) == 1 else None
    for filename, obj in objects:
        if isinstance(obj, api.Cluster):
            continue
        if isinstance(obj, api.InstanceGroup):
            owner = (obj.metadata.labels or {}).get(CLUSTER_LABEL) or only
            if not owner:
                raise KopsError(f"{filename}: InstanceGroup/{obj.metadata.name}: metadata.labels: needs the label "
                                f"{CLUSTER_LABEL} naming its cluster")
            sets.setdefault(owner, ManifestSet(owner)).groups.append(obj)
        else:
            if only is None:
                raise KopsError(f"{filename}: {obj.kind}: additional objects need exactly one Cluster in the files")
            sets[only].additional.append(obj)
    if not sets:
        raise KopsError("-f: no Cluster or InstanceGroup found in the given files")
    for s in sets.values():
        names = [g.metadata.name for g in s.groups]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise KopsError(f"InstanceGroup {dupes[0]!r} of cluster {s.name!r} appears twice in the given files")
    return list(sets.values())


def create_from_files(settings: Any, filenames: list[str]) -> None:
    from kops.cli.specs import registry
    from kops.names import validate_cluster_name, validate_group_name
    from kops.validation import check

    sets = read_manifests(filenames)
    reg = registry(settings)
    # Validate everything before the first write: a bad file leaves the store untouched.
    plans: list[tuple[str, ManifestSet, Any]] = []
    for s in sets:
        for g in s.groups:
            validate_group_name(g.metadata.name, f"InstanceGroup/{g.metadata.name}: metadata.name")
        if s.cluster is not None:
            validate_cluster_name(s.name, f"Cluster/{s.name}: metadata.name")
            check(s.cluster, s.groups)
            plans.append(("cluster", s, None))
        else:
            state = reg.get(s.name)
            existing = {g.metadata.name for g in state.instance_groups}
            for g in s.groups:
                if g.metadata.name in existing:
                    raise KopsError(f"InstanceGroup {g.metadata.name!r} already exists in cluster {s.name!r}; "
                                    "use 'kops replace -f' to change it")
            check(state.cluster, state.instance_groups + s.groups)
            plans.append(("groups", s, state))
    for kind, s, state in plans:
        if kind == "cluster":
            reg.create(s.cluster, s.groups, s.additional)
            click.echo(f"Created cluster {s.name!r} with {len(s.groups)} instance group(s).")
        else:
            reg.replace(state, state.cluster, state.instance_groups + s.groups, additional=None)
            click.echo(f"Created {len(s.groups)} instance group(s) in cluster {s.name!r}.")


def replace_from_files(settings: Any, filenames: list[str], force: bool) -> None:
    from kops.cli.specs import registry
    from kops.registry import ClusterNotFound
    from kops.validation import check

    sets = read_manifests(filenames)
    reg = registry(settings)
    plans = []
    for s in sets:
        try:
            state = reg.get(s.name)
        except ClusterNotFound:
            if not force or s.cluster is None:
                raise
            state = None
        if state is None:
            check(s.cluster, s.groups)
            plans.append((s, None))
            continue
        cluster = s.cluster or state.cluster
        groups = {g.metadata.name: g for g in state.instance_groups}
        groups.update({g.metadata.name: g for g in s.groups})
        for g in s.groups:
            old = next((o for o in state.instance_groups if o.metadata.name == g.metadata.name), None)
            if old is not None and g.metadata.creationTimestamp is None:
                g.metadata.creationTimestamp = old.metadata.creationTimestamp
        if s.cluster is not None and s.cluster.metadata.creationTimestamp is None:
            s.cluster.metadata.creationTimestamp = state.cluster.metadata.creationTimestamp
        check(cluster, list(groups.values()))
        plans.append((s, state))
    for s, state in plans:
        if state is None:
            reg.create(s.cluster, s.groups, s.additional)
            click.echo(f"Created cluster {s.name!r}.")
        else:
            groups = {g.metadata.name: g for g in state.instance_groups}
            groups.update({g.metadata.name: g for g in s.groups})
            reg.replace(state, s.cluster or state.cluster, list(groups.values()),
                        additional=s.additional if s.cluster is not None else None)
            click.echo(f"Replaced cluster {s.name!r}.")
