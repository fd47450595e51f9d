"""``kops reconcile cluster``: upstream's ordered upgrade in one command. The control plane's configuration is
updated and its machines replaced first, then the nodes', so nodes never run a newer Kubernetes than the control
plane (the version skew policy)."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup
from kops.cli.rolling_update_cmd import interval_options, make_options, rolling_options
from kops.cli.settings import Settings, global_options

#: How long the control plane may take to serve the API after its configuration was updated, as upstream.
API_WAIT_SECONDS = 600.0


@click.group("reconcile", cls=KopsCommandGroup)
def reconcile() -> None:
    """Bring a running cluster in line with its spec."""


@reconcile.command("cluster", cls=KopsCommand)
@click.argument("name", required=False)
@click.option("--yes", "-y", is_flag=True, help="Update and replace machines (without it, only show the plan).")
@interval_options
@rolling_options
@global_options
@click.pass_obj
def reconcile_cluster(settings: Settings, name: str | None, yes: bool, kubeconfig: str | None,
                      api_server: str | None, use_kubeconfig: bool, **durations: Any) -> None:
    """Update the cloud resources and replace the machines that need it, control plane first: its configuration is
    updated, the API waited for and its machines replaced; then the nodes' configuration and machines.

    \b
    kops upgrade cluster my.example.com --yes
    kops reconcile cluster my.example.com --yes
    """
    from kops.cli.update_cmd import run_update
    from kops.model import API_SERVER, CONTROL_PLANE
    from kops.operate import rolling
    from kops.operate.clusterstate import ClusterState
    from kops.update import Selection, update_lease

    cluster = settings.cluster_name(name) or ""
    if not yes:
        run_update(settings, cluster)
        return
    control_plane = (CONTROL_PLANE, API_SERVER)
    options = make_options(durations)
    kube = None if options.cloud_only else (kubeconfig, api_server, use_kubeconfig)

    def roll(roles: tuple[str, ...]) -> None:
        state = ClusterState.load(settings, cluster, kube)
        chosen = make_options(durations, roles=roles)
        runner = rolling.RollingUpdate(state, chosen, say=lambda line: click.echo(line, err=True))
        with update_lease(state.registry, cluster):
            runner.run(rolling.plan(state.groups(), chosen))

    click.echo("Updating control plane configuration")
    run_update(settings, cluster, yes=True, selection=Selection(roles=control_plane))
    if not options.cloud_only:
        click.echo("Waiting for the Kubernetes API to be served")
        ClusterState.load(settings, cluster, kube).wait_for_api(API_WAIT_SECONDS, options.validate_tick)
    click.echo("Performing rolling-update for control plane")
    roll(control_plane)
    click.echo("Updating node configuration")
    run_update(settings, cluster, yes=True)
    click.echo("Performing rolling-update for nodes")
    roll(())
    click.echo(f"\nCluster {cluster} reconciled.")
