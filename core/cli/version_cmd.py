"""``kops version``: the core's version and every installed plugin distribution's."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--short", is_flag=True, help="Print only the core's version.")
@click.option("-o", "--output", type=click.Choice(["text", "json"], case_sensitive=False), default="text")
def version(short: bool, output: str) -> None:
    """Print the version of kops and of each installed plugin."""
    from kops import __version__, entrypoints, hookspecs

    if short:
        click.echo(__version__)
        return
    # Read plugin versions from distribution metadata only: importing plugins here would slow the command.
    dists: dict[str, str] = {}
    for group in (hookspecs.PLUGIN_NAMESPACE, *hookspecs.DRIVER_NAMESPACES.values()):
        for ep in entrypoints.entry_points(group):
            if ep.dist != "kops-core":
                dists[ep.dist] = ep.version
    if output.lower() == "json":
        click.echo(json.dumps({"kops-core": __version__, "plugins": dict(sorted(dists.items()))}, indent=2))
        return
    click.echo(f"Client version: {__version__} (kops-core)")
    for dist, ver in sorted(dists.items()):
        click.echo(f"  {dist} {ver}")
