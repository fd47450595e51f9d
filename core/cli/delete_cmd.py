"""``kops delete``: instance groups (cluster deletion arrives with the cloud engine)."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommandGroup
from kops.cli.settings import Settings, global_options


@click.group("delete", cls=KopsCommandGroup)
@global_options
def delete() -> None:
    """Delete resources."""


@delete.command("instancegroup")
@click.argument("group")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
@global_options
@click.pass_obj
def delete_instancegroup(settings: Settings, group: str, yes: bool) -> None:
    """Delete an instance group from the cluster's spec (run kops update cluster to remove its instances)."""
    from kops.cli.specs import registry
    from kops.errors import KopsError
    from kops.registry import group_path
    from kops.validation import check

    name = settings.cluster_name()
    reg = registry(settings)
    state = reg.get(name)
    target = next((g for g in state.instance_groups if g.metadata.name == group), None)
    if target is None:
        raise KopsError(f"instance group {group!r} not found in cluster {name!r}")
    remaining = [g for g in state.instance_groups if g.metadata.name != group]
    check(state.cluster, remaining)
    if not yes:
        click.echo(f"Would delete instance group {group!r} from cluster {name!r}; add --yes to delete it.")
        return
    reg.delete_group(name, group, expect=state.generations[group_path(name, group)])
    click.echo(f"Deleted instance group {group!r}.")


for alias in ("ig", "instancegroups"):
    delete.add_command(delete_instancegroup, alias)
