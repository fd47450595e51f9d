"""``kops completion bash|zsh|fish``: print a shell completion script."""

from __future__ import annotations

import click

SHELLS = ["bash", "zsh", "fish"]


@click.command()
@click.argument("shell", type=click.Choice(SHELLS, case_sensitive=False))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  source <(kops completion bash)
    zsh:   source <(kops completion zsh)
    fish:  kops completion fish | source
    """
    from click.shell_completion import get_completion_class
    from kops.cli.main import cli

    cls = get_completion_class(shell.lower())
    assert cls is not None  # every choice above has a class in click
    click.echo(cls(cli, {}, "kops", "_KOPS_COMPLETE").source())
