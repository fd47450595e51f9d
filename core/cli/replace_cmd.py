"""``kops replace -f``: overwrite stored specs with the given manifests."""

from __future__ import annotations

import click
from kops.cli.flags import KopsCommand
from kops.cli.settings import Settings, global_options


@click.command("replace", cls=KopsCommand)
@click.option("-f", "--filename", "filenames", multiple=True, required=True,
              type=click.Path(dir_okay=False, allow_dash=True), help="Manifest(s) to store.")
@click.option("--force/--no-force", default=False, help="Create the cluster if it does not exist.")
@global_options
@click.pass_obj
def replace(settings: Settings, filenames: tuple[str, ...], force: bool) -> None:
    """Replace a cluster's spec (and instance groups) with the content of files."""
    from kops.cli.manifests import replace_from_files

    replace_from_files(settings, list(filenames), force)
