"""``kops edit cluster|instancegroup``: change a stored spec in $EDITOR, or with ``--set``/``--unset``."""

from __future__ import annotations

from typing import Any

import click

from kops.cli.flags import KopsCommandGroup, list_option, split_assignments
from kops.cli.settings import Settings, global_options

SET = click.option("--set", "sets", multiple=True, callback=split_assignments, metavar="PATH=VALUE",
                   help="Set a field without an editor: --set spec.kubernetesVersion=v1.33.0.")
UNSET = list_option("--unset", "unsets", help="Unset a field without an editor.", metavar="PATH")


@click.group("edit", cls=KopsCommandGroup)
@global_options
def edit() -> None:
    """Edit a cluster or instance group spec."""


def _change(settings: Settings, kind: str, group: str | None, sets: list[str] | None, unsets: list[str] | None) -> None:
    from kops import api
    from kops.cli.specs import registry
    from kops.errors import KopsError
    from kops.setfields import apply_sets, apply_unsets
    from kops.validation import check

    name = settings.cluster_name()
    reg = registry(settings)
    state = reg.get(name)
    if kind == "Cluster":
        current: Any = state.cluster
    else:
        current = next((g for g in state.instance_groups if g.metadata.name == group), None)
        if current is None:
            raise KopsError(f"instance group {group!r} not found in cluster {name!r}")

    def accept_tree(tree: dict[str, Any]) -> Any:
        obj = api.from_dict(tree, source=f"{kind}/{current.metadata.name}")
        if obj.kind != kind or obj.metadata.name != current.metadata.name:
            raise KopsError(f"metadata.name: the {kind} must stay {current.metadata.name!r}")
        cluster = obj if kind == "Cluster" else state.cluster
        groups = [obj if g.metadata.name == group else g for g in state.instance_groups]
        check(cluster, groups)
        reg.replace(state, cluster, groups, additional=None)
        return obj

    if sets or unsets:
        tree = api.to_dict(current)
        apply_unsets(tree, unsets or [])
        apply_sets(tree, sets or [])
        accept_tree(tree)
        click.echo(f"Updated {kind} {current.metadata.name!r}.")
        return

    import yaml

    from kops.cli.editing import edit_until_valid

    def accept_text(text: str) -> Any:
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError as exc:
            raise KopsError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
        if len(docs) != 1:
            raise KopsError(f"expected one {kind} document, found {len(docs)}")
        return accept_tree(docs[0])

    if edit_until_valid(api.dump_yaml(current), accept_text) is not None:
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
