"""``kops export kubeconfig``: point kubectl at a cluster, optionally with a short-lived admin credential."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup, bool_flag
from kops.cli.settings import Settings, global_options

#: What a bare ``--admin`` means; kops.pki.kubeconfig.DEFAULT_ADMIN_LIFETIME is the same 18 hours.
ADMIN_DEFAULT = "18h"


class AdminDurationCommand(KopsCommand):
    """Reads a bare ``--admin`` as ``--admin=18h``, so the next argument is never taken for a duration."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten = []
        for i, arg in enumerate(args):
            if arg == "--":
                rewritten += args[i:]
                break
            rewritten.append(f"--admin={ADMIN_DEFAULT}" if arg == "--admin" else arg)
        return super().parse_args(ctx, rewritten)


@click.group("export", cls=KopsCommandGroup)
@global_options
def export() -> None:
    """Export configuration."""


@export.command("kubeconfig", cls=AdminDurationCommand)
@click.argument("cluster", required=False)
@click.option("--admin", "admin", metavar="DURATION", default=None,
              help=f"Also export a cluster admin credential valid this long (--admin alone: {ADMIN_DEFAULT}).")
@click.option("--user", "user", metavar="NAME", help="Existing user in the kubeconfig to use for the context.")
@click.option("--kubeconfig", "kubeconfig", type=click.Path(dir_okay=False),
              help="The kubeconfig file to write (default: first path in $KUBECONFIG, else ~/.kube/config).")
@bool_flag("--internal", "Use the cluster's internal API name (api.internal.CLUSTER).", default=False)
@click.option("--api-server", "api_server", metavar="URL", help="Override the API server address in the kubeconfig.")
@click.option("--all/--no-all", "all_clusters", default=False,
              help="Export every cluster of the state store (the last one exported becomes the current context).")
@global_options
@click.pass_obj
def export_kubeconfig(settings: Settings, cluster: str | None, admin: str | None, user: str | None,
                      kubeconfig: str | None, internal: bool, api_server: str | None, all_clusters: bool) -> None:
    """Merge a cluster, a user and a context named after the cluster into a kubeconfig, and make it current.

    \b
    kops export kubeconfig k8s.example.com --admin          # admin credential valid 18h
    kops export kubeconfig k8s.example.com --admin=2h
    kops export kubeconfig k8s.example.com --user my-oidc-user
    kops export kubeconfig --all                            # every cluster of the state store
    """
    from kops.pki.kubeconfig import export_kubeconfig as export_entries

    if admin is not None and user:
        raise click.UsageError("--admin and --user cannot be used together")
    if all_clusters and cluster:
        raise click.UsageError("--all and a CLUSTER argument cannot be used together")
    lifetime = admin_lifetime(admin)
    store = settings.state_store()
    if all_clusters:
        from kops.registry import Registry

        names = Registry(store).list_clusters()
        if not names:
            click.echo(f"No clusters found in {store.url}.")
    else:
        names = [settings.cluster_name(cluster) or ""]
    for name in names:
        path, warnings = export_entries(store, name, admin_lifetime=lifetime, user=user, kubeconfig=kubeconfig,
                                        internal=internal, api_server=api_server)
        for warning in warnings:
            click.echo(f"Warning: {warning}", err=True)
        click.echo(f"kops has set your kubectl context to {name} in {path}")


def admin_lifetime(value: str | None) -> Any:
    from datetime import timedelta

    from kops.pki.kubeconfig import parse_duration

    if value is None:
        return None
    try:
        lifetime = parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--admin") from None
    if lifetime <= timedelta(0):
        raise click.BadParameter(f"{value!r}: the credential's lifetime must be positive", param_hint="--admin")
    return lifetime


export.add_command(export_kubeconfig, "kubecfg")
