"""``kops validate cluster``: is the cluster what its spec asks for (nodes Ready, groups at their minimum, critical
pods running), as upstream: exit 0 when valid, 2 when it found problems (each named), 1 on errors."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup
from kops.cli.settings import Settings, global_options
from kops.durations import DURATION
from kops.kube import kube_options


@click.group("validate", cls=KopsCommandGroup)
def validate() -> None:
    """Validate a running cluster."""


@validate.command("cluster", cls=KopsCommand)
@click.argument("name", required=False)
@click.option("--wait", type=DURATION, default="0s", help="Keep validating until valid, for at most this long.")
@click.option("--count", type=click.IntRange(min=0), default=0,
              help="With --wait: how many validations in a row must pass.")
@click.option("--interval", type=DURATION, default="10s", help="Time between validations while waiting.")
@click.option("--max-unready-nodes", type=click.IntRange(min=0), default=0,
              help="How many nodes (not of the control plane) may be not Ready in a valid cluster.")
@click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"], case_sensitive=False), default="table")
@kube_options
@global_options
@click.pass_obj
def validate_cluster(settings: Settings, name: str | None, wait: timedelta, count: int, interval: timedelta,
                     max_unready_nodes: int, output: str, kubeconfig: str | None, api_server: str | None,
                     use_kubeconfig: bool) -> int:
    """Validate the cluster: every node Ready, every instance group at its minimum of Ready nodes, every machine
    joined, every critical kube-system pod running and ready.

    \b
    kops validate cluster my.example.com
    kops validate cluster my.example.com --wait 10m --count 3
    """
    from kops.operate import clusterstate

    cluster = settings.cluster_name(name) or ""
    state = clusterstate.ClusterState.load(settings, cluster, (kubeconfig, api_server, use_kubeconfig))
    deadline = time.monotonic() + wait.total_seconds()
    passed = 0
    while True:
        result = state.validate(max_unready_nodes)
        passed = passed + 1 if result.valid else 0
        if (result.valid and passed >= max(count, 1)) or time.monotonic() >= deadline:
            break
        if not result.valid:
            click.echo(f"Validation failed ({len(result.failures)} problems); retrying in "
                       f"{interval.total_seconds():.0f}s", err=True)
        time.sleep(min(interval.total_seconds(), max(0.0, deadline - time.monotonic())))
    _show(cluster, result, output.lower())
    return 0 if result.valid else 2


def _show(cluster: str, result: Any, output: str) -> None:
    if output == "json":
        import json

        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    if output == "yaml":
        import yaml

        click.echo(yaml.safe_dump(result.to_dict(), sort_keys=False), nl=False)
        return
    from kops.cli.table import print_table
    from kops.model import role_of

    click.echo(f"Validating cluster {cluster}\n\nINSTANCE GROUPS")
    print_table(["NAME", "ROLE", "MACHINETYPE", "MIN", "MAX", "SUBNETS"],
                [[g.name, role_of(g.instance_group), g.instance_group.spec.machineType or "", g.min_size,
                  g.max_size, ",".join(g.instance_group.spec.subnets or [])] for g in result.groups])
    click.echo("\nNODE STATUS")
    print_table(["NAME", "ROLE", "READY"], [[n.name, n.role, n.status] for n in result.nodes])
    if result.failures:
        click.echo("\nVALIDATION ERRORS")
        print_table(["KIND", "NAME", "MESSAGE"], [[f.type, f.name, f.message] for f in result.failures])
        click.echo("\nValidation Failed")
    else:
        click.echo(f"\nYour cluster {cluster} is ready")
