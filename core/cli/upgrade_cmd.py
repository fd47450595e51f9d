"""``kops upgrade cluster``: the release channel's recommended Kubernetes version and images for a cluster
(:mod:`kops.upgrade`), shown as a table and stored with ``--yes``."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup
from kops.cli.settings import Settings, global_options


@click.group("upgrade", cls=KopsCommandGroup)
def upgrade() -> None:
    """Upgrade a cluster to what its release channel recommends."""


@upgrade.command("cluster", cls=KopsCommand)
@click.argument("name", required=False)
@click.option("--yes/--no-yes", "-y", default=False, help="Store the upgrade (without it, only show it).")
@click.option("--channel", help="Release channel to upgrade with (default: the cluster's spec.channel, else stable); "
              "a bundled name, a file path or a file:// URL.")
@click.option("--kubernetes-version", help="Kubernetes version to upgrade to, instead of the channel's.")
@global_options
@click.pass_obj
def upgrade_cluster(settings: Settings, name: str | None, yes: bool, channel: str | None,
                    kubernetes_version: str | None) -> None:
    """Show, and with --yes store, the Kubernetes version and machine images the release channel recommends.

    The cloud is not touched: run kops update cluster, then kops rolling-update cluster, to bring the machines
    to it.

    \b
    kops upgrade cluster my.example.com           # show what would change
    kops upgrade cluster my.example.com --yes     # store it
    """
    from kops.cli.specs import registry
    from kops.cli.table import print_table
    from kops.upgrade import plan_upgrade, store_upgrade

    cluster_name = settings.cluster_name(name) or ""
    reg = registry(settings)
    state = reg.get(cluster_name)
    plan = plan_upgrade(state.cluster, state.instance_groups, channel=channel, kubernetes_version=kubernetes_version)
    for note in plan.notes:
        click.echo(f"Warning: {note}", err=True)
    if not plan.changes:
        click.echo(f"No upgrade required: cluster {cluster_name!r} is up to date with the {plan.channel} channel.",
                   err=True)
        return
    print_table(["ITEM", "PROPERTY", "OLD", "NEW"], [(c.item, c.property, c.old, c.new) for c in plan.changes])
    if not yes:
        click.echo("\nMust specify --yes to store the upgrade.")
        return
    store_upgrade(reg, state, plan)
    click.echo(f"\nUpgrade stored. Apply it with: kops update cluster {cluster_name} --yes, then replace the "
               f"machines with: kops rolling-update cluster {cluster_name} --yes")
