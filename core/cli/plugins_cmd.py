"""``kops plugins list``: which plugins are installed, from which distribution, and what each provides."""

from __future__ import annotations

import json

import click


@click.group()
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list")
@click.option("-o", "--output", type=click.Choice(["table", "json"], case_sensitive=False), default="table")
def list_plugins(output: str) -> None:
    """List installed plugins: name, distribution, version and what each provides."""
    from dataclasses import asdict

    from kops.plugins import installed_plugins

    infos = installed_plugins()
    if output.lower() == "json":
        click.echo(json.dumps([asdict(i) for i in infos], indent=2))
        return
    from kops.cli.table import print_table

    rows = [[i.name, i.distribution, i.version, ", ".join(i.provides) + (f"  [failed: {i.error}]" if i.error else "")]
            for i in infos]
    print_table(["NAME", "DISTRIBUTION", "VERSION", "PROVIDES"], rows)
