"""``kops edit cluster|instancegroup``: change a stored spec in $EDITOR, or with ``--set``/``--unset``."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommandGroup, list_option, split_assignments
from kops.cli.settings import Settings, global_options

SET = click.option("--set", "sets", multiple=True, callback=split_assignments, metavar="PATH=VALUE",
                   help="Set a field without an editor: --set spec.kubernetesVersion=v1.33.0.")
UNSET = list_option("--unset", "unsets", help="Unset a field without an editor.", metavar="PATH")
#: Seconds a non-interactive edit keeps retrying while other writers keep getting in first.
CONFLICT_PATIENCE = 60.0


@click.group("edit", cls=KopsCommandGroup)
@global_options
def edit() -> None:
    """Edit a cluster or instance group spec."""


def _target(state: Any, kind: str, group: str | None, cluster_name: str) -> Any:
    from kops.errors import KopsError

    if kind == "Cluster":
        return state.cluster
    found = next((g for g in state.instance_groups if g.metadata.name == group), None)
    if found is None:
        raise KopsError(f"instance group {group!r} not found in cluster {cluster_name!r}")
    return found


def _store(reg: Any, state: Any, kind: str, group: str | None, tree: dict[str, Any]) -> Any:
    """Validate the edited object with the rest of the cluster and write it if nobody changed it meanwhile."""
    from kops import api
    from kops.errors import KopsError
    from kops.validation import check

    current = _target(state, kind, group, state.cluster.metadata.name)
    obj = api.from_dict(tree, source=f"{kind}/{current.metadata.name}")
    if obj.kind != kind or obj.metadata.name != current.metadata.name:
        raise KopsError(f"metadata.name: the {kind} must stay {current.metadata.name!r}")
    cluster = obj if kind == "Cluster" else state.cluster
    groups = [obj if g.metadata.name == group else g for g in state.instance_groups]
    check(cluster, groups)
    reg.replace(state, cluster, groups, additional=None)
    return obj


def _change(settings: Settings, kind: str, group: str | None, sets: list[str] | None, unsets: list[str] | None) -> None:
    from kops import api
    from kops.cli.specs import registry
    from kops.setfields import apply_sets, apply_unsets
    from kops.state import ConflictError

    name = settings.cluster_name() or ""
    reg = registry(settings)
    if sets or unsets:
        # A non-interactive change is re-applied to a fresh read when another writer got in first.
        import random
        import time

        deadline = time.monotonic() + CONFLICT_PATIENCE
        while True:
            state = reg.get(name)
            tree = api.to_dict(_target(state, kind, group, name))
            apply_unsets(tree, unsets or [])
            apply_sets(tree, sets or [])
            try:
                obj = _store(reg, state, kind, group, tree)
            except ConflictError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(random.uniform(0.02, 0.3))  # jitter, so racing writers stop colliding in step
                continue
            click.echo(f"Updated {kind} {obj.metadata.name!r}.")
            return

    import yaml
    from kops.cli.editing import edit_until_valid
    from kops.errors import KopsError

    state = reg.get(name)
    current = _target(state, kind, group, name)

    def accept(text: str) -> Any:
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as exc:
            raise KopsError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
        if len(docs) != 1:
            raise KopsError(f"expected one {kind} document, found {len(docs)}")
        return _store(reg, state, kind, group, docs[0])

    if edit_until_valid(api.dump_yaml(current), accept) is not None:
        click.echo(f"Updated {kind} {current.metadata.name!r}.")


@edit.command("cluster")
@click.argument("name", required=False)
@SET
@UNSET
@global_options
@click.pass_obj
def edit_cluster(settings: Settings, name: str | None, sets: list[str] | None, unsets: list[str] | None) -> None:
    """Edit the cluster spec."""
    settings.name = settings.cluster_name(name)
    _change(settings, "Cluster", None, sets, unsets)


@edit.command("instancegroup")
@click.argument("group")
@SET
@UNSET
@global_options
@click.pass_obj
def edit_instancegroup(settings: Settings, group: str, sets: list[str] | None, unsets: list[str] | None) -> None:
    """Edit an instance group spec."""
    _change(settings, "InstanceGroup", group, sets, unsets)


for alias in ("ig", "instancegroups"):
    edit.add_command(edit_instancegroup, alias)
