"""``kops delete instance ID|NODE-NAME``: drain one machine and delete it, its group replacing it (upstream's
command; the replacement is made as a rolling update makes it, :mod:`kops.operate.rolling`)."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommand, bool_flag
from kops.cli.rolling_update_cmd import make_options, rolling_options
from kops.cli.settings import Settings, global_options


@click.command("instance", cls=KopsCommand)
@click.argument("instance", metavar="ID|NODE-NAME")
@click.option("--yes", "-y", is_flag=True, help="Delete it (without it, only say what would be deleted).")
@bool_flag("--surge", "Launch its replacement before it goes (not on the control plane).", True)
@rolling_options
@global_options
@click.pass_obj
def delete_instance(settings: Settings, instance: str, yes: bool, surge: bool, kubeconfig: str | None,
                    api_server: str | None, use_kubeconfig: bool, **durations: Any) -> None:
    """Drain one machine's node and delete the machine; its instance group (not resized) replaces it.

    \b
    kops delete instance i-0123456789abcdef0 --name my.example.com --yes
    kops delete instance ip-172-20-33-4.ec2.internal --yes --surge=false
    """
    from kops import update
    from kops.cli.table import print_table
    from kops.cloud import CloudProvider
    from kops.errors import KopsError
    from kops.operate.clusterstate import ClusterState
    from kops.operate.rolling import RollingUpdate

    cluster = settings.cluster_name() or ""
    # One machine: validation after it went is the wait; no interval on top, as upstream's command has none.
    options = make_options(durations, node_interval=0.0, control_plane_interval=0.0, bastion_interval=0.0)
    state = ClusterState.load(settings, cluster, None if options.cloud_only else
                              (kubeconfig, api_server, use_kubeconfig))
    groups = state.groups(warn=None if yes else lambda message: click.echo(f"Warning: {message}", err=True))
    found = [(g, i) for g in groups for i in g.instances if instance in (i.id, i.node_name)]
    if not found:
        raise KopsError(f"instance {instance}: cluster {cluster} has no machine with that ID"
                        + (" (node names need the Kubernetes API, which --cloudonly leaves alone)"
                           if options.cloud_only else " or node name"))
    group, target = found[0]
    print_table(["ID", "NODE-NAME", "INSTANCE-GROUP", "STATUS"],
                [[target.id, target.node_name, group.name, target.status]])
    if not yes:
        click.echo("\nMust specify --yes to delete instance.")
        return
    can_detach = type(state.model.cloud).detach_instance is not CloudProvider.detach_instance
    runner = RollingUpdate(state, options, say=lambda line: click.echo(line, err=True))
    with update.update_lease(state.registry, cluster):
        try:
            runner.roll(group, [target], surge=1 if surge and can_detach and not target.detached else 0)
        except KopsError:
            raise
        except Exception as exc:
            raise state.api_error(exc) from exc
    click.echo(f"\nInstance {target.id} deleted; its group replaces it.")
