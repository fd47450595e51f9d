"""``kops toolbox``: helpers for inspecting what kops will do."""

from __future__ import annotations

import click

from kops.cli.flags import KopsCommandGroup
from kops.cli.settings import Settings, global_options


@click.group("toolbox", cls=KopsCommandGroup)
def toolbox() -> None:
    """Miscellaneous helpers."""


@toolbox.group("addons")
def addons() -> None:
    """Inspect a cluster's add-ons."""


@addons.command("list")
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Choice(["table", "json"], case_sensitive=False), default="table")
@global_options
@click.pass_obj
def addons_list(settings: Settings, name: str | None, output: str) -> None:
    """List the add-ons in the cluster's channel: name, version and source."""
    import json

    from kops.addons import collect
    from kops.cli.specs import registry
    from kops.cli.table import print_table

    state = registry(settings).get(settings.cluster_name(name))
    found = collect(state.cluster)
    if output.lower() == "json":
        click.echo(json.dumps([{"name": a.name, "version": a.version, "source": a.source} for a in found], indent=2))
        return
    print_table(["NAME", "VERSION", "SOURCE"], [[a.name, a.version, a.source] for a in found])
