"""``kops delete``: a cluster (its cloud resources, then its state) or an instance group."""

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


@delete.command("cluster")
@click.argument("name", required=False)
@click.option("--yes", "-y", is_flag=True, help="Delete (without it, only list what would be deleted).")
@click.option("--claim", is_flag=True, help="Also delete the cluster's resources that another state store made.")
@global_options
@click.pass_obj
def delete_cluster(settings: Settings, name: str | None, yes: bool, claim: bool) -> None:
    """Delete a cluster: every cloud resource it owns (by its tags), then its state.

    Shared resources (a VPC or subnets you brought with --network-id/--subnets) and anything not tagged
    as owned by the cluster are never touched.
    """
    from kops import update
    from kops.cli.specs import registry
    from kops.cli.table import print_table
    from kops.engine.targets.direct import DirectTarget

    cluster = settings.cluster_name(name) or ""
    reg = registry(settings)

    def listed() -> tuple[object, list[object], int]:
        model, _warnings = update.load_model(reg, cluster, "direct")
        ctx, doomed, notes = update.owned(model, claim)
        for note in notes:
            click.echo(f"Warning: {note}", err=True)
        rows = sorted([type(t).__name__, t.name, getattr(t, "id", "") or ""] for t in doomed)
        if rows:
            print_table(["TYPE", "NAME", "ID"], rows)
        else:
            click.echo("No cloud resources owned by the cluster were found.")
        return ctx, doomed, len(rows)

    if not yes:
        listed()
        click.echo(f"\nMust specify --yes to delete cluster {cluster!r} and the resources above.")
        return
    # Listed and deleted under the update lease: an apply cannot add resources in between.
    with update.update_lease(reg, cluster):
        ctx, doomed, count = listed()
        DirectTarget().run(ctx, [], doomed)
    removed = reg.delete_cluster(cluster)
    click.echo(f"Deleted {count} cloud resource(s) and {removed} state store object(s) of cluster {cluster!r}.")
