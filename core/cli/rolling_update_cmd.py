"""``kops rolling-update cluster``: replace the machines that do not run their group's current configuration
(:mod:`kops.operate.rolling`), with upstream's flags."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup, bool_flag, split_list
from kops.cli.settings import Settings, global_options
from kops.durations import DURATION
from kops.kube import kube_options


@click.group("rolling-update", cls=KopsCommandGroup)
def rolling_update() -> None:
    """Replace a cluster's machines, group by group."""


def rolling_options(f: Any) -> Any:
    """The flags ``rolling-update cluster`` and ``delete instance`` share, as upstream's."""
    for option in reversed([
        click.option("--cloudonly", "cloud_only", is_flag=True,
                     help="Neither drain nor validate: replace machines through the cloud alone."),
        click.option("--drain-timeout", type=DURATION, default="15m0s", help="How long a node's drain may take."),
        click.option("--post-drain-delay", type=DURATION, default="5s",
                     help="Time between a node's drain and its machine's deletion."),
        click.option("--validation-timeout", type=DURATION, default="15m0s",
                     help="How long the cluster may take to validate after machines were replaced."),
        click.option("--validate-count", type=click.IntRange(min=1), default=2,
                     help="How many validations in a row must pass after machines were replaced."),
        bool_flag("--fail-on-drain-error", "Stop when a node cannot be drained (else delete it anyway).", True),
        bool_flag("--fail-on-validate-error", "Stop when the cluster does not validate (else go on).", True),
        click.option("--validate-interval", "validate_tick", type=DURATION, default="5s", hidden=True,
                     help="Time between validations while waiting for the cluster to validate."),
        kube_options,
    ]):
        f = option(f)
    return f


def interval_options(f: Any) -> Any:
    """How long ``rolling-update cluster`` (and ``reconcile cluster``) waits after each wave, by role."""
    for option in reversed([
        click.option("--node-interval", type=DURATION, default="15s", help="Time to wait after replacing nodes."),
        click.option("--control-plane-interval", "--master-interval", "control_plane_interval", type=DURATION,
                     default="15s", help="Time to wait after replacing a control-plane machine."),
        click.option("--bastion-interval", type=DURATION, default="15s", help="Time to wait after replacing a bastion."),
    ]):
        f = option(f)
    return f


@rolling_update.command("cluster", cls=KopsCommand)
@click.argument("name", required=False)
@click.option("--yes", "-y", is_flag=True, help="Replace the machines (without it, only show what would be done).")
@click.option("--force", is_flag=True, help="Replace every machine of the selected groups, up to date or not.")
@click.option("--instance-group", "instance_groups", multiple=True, callback=split_list, metavar="NAME",
              help="Only these instance groups (repeatable, or comma-separated).")
@click.option("--instance-group-roles", "roles", multiple=True, callback=split_list, metavar="ROLE",
              help="Only groups of these roles: control-plane, apiserver, node, bastion.")
@interval_options
@click.option("-i", "--interactive", is_flag=True, help="Ask before each machine is replaced, one at a time.")
@rolling_options
@global_options
@click.pass_obj
def rolling_update_cluster(settings: Settings, name: str | None, yes: bool, force: bool,
                           instance_groups: list[str] | None, roles: list[str] | None, interactive: bool,
                           kubeconfig: str | None, api_server: str | None, use_kubeconfig: bool,
                           **durations: Any) -> None:
    """Replace the machines that do not run their group's current configuration: the control plane first, one
    machine at a time, then bastions, then nodes, draining each node and validating the cluster between waves.

    \b
    kops rolling-update cluster my.example.com            # what needs replacing
    kops rolling-update cluster my.example.com --yes
    kops rolling-update cluster my.example.com --yes --instance-group nodes-us-east-1a --force
    """
    from kops import update
    from kops.cli.table import print_table
    from kops.errors import KopsError
    from kops.model import parse_roles
    from kops.operate import rolling
    from kops.operate.clusterstate import ClusterState

    cluster = settings.cluster_name(name) or ""
    options = make_options(durations, force=force, instance_groups=tuple(instance_groups or ()),
                           roles=parse_roles(roles))
    kube = None if options.cloud_only else (kubeconfig, api_server, use_kubeconfig)
    state = ClusterState.load(settings, cluster, kube)
    plans = rolling.plan(state.groups(warn=lambda message: click.echo(f"Warning: {message}", err=True)), options)
    print_table(["NAME", "STATUS", "NEEDUPDATE", "READY", "MIN", "TARGET", "MAX"], [p.row() for p in plans])
    if not any(p.update for p in plans):
        click.echo("\nNo rolling-update required.")
        return
    if not yes:
        click.echo("\nMust specify --yes to rolling-update.")
        return
    runner = rolling.RollingUpdate(state, options, say=lambda line: click.echo(line, err=True),
                                   confirm=_Ask() if interactive else None)
    with update.update_lease(state.registry, cluster):
        # Under the lease, the cloud is asked again: another run may have replaced machines meanwhile.
        plans = rolling.plan(state.groups(), options)
        try:
            runner.run(plans)
        except KopsError:
            raise
        except Exception as exc:
            raise state.api_error(exc) from exc
    click.echo(f"\nRolling update of {cluster} done.")


def make_options(durations: dict[str, Any], **fields: Any) -> Any:
    """:class:`kops.operate.rolling.Options` from the shared flags (durations in seconds)."""
    from kops.operate.rolling import Options

    values = {k: v.total_seconds() if isinstance(v, timedelta) else v for k, v in durations.items()}
    return Options(**values, **fields)


class _Ask:
    """``--interactive``: ask before each machine goes, until the user answers (A)ll."""

    def __init__(self) -> None:
        self.all = False

    def __call__(self, instance: Any) -> bool:
        if self.all:
            return True
        answer = click.prompt(f"Replace {instance.id} ({instance.instance_group})? (Y)es, (N)o, (A)ll",
                              type=click.Choice(["y", "n", "a"], case_sensitive=False), default="y", err=True)
        self.all = answer.lower() == "a"
        return bool(answer.lower() != "n")
