"""``kops completion bash|zsh|fish|powershell``: print a shell completion script.

Click completes bash, zsh and fish itself; PowerShell is added here in click's own terms (a
:class:`click.shell_completion.ShellComplete`): the script registers a native argument completer that runs
``kops`` with ``_KOPS_COMPLETE=powershell_complete``, the command line up to the cursor in ``COMP_LINE`` and
the word being completed in ``COMP_WORD``, and turns each ``plain`` answer into a completion result. File
and folder answers produce nothing, so PowerShell offers paths itself.
"""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem, ShellComplete, add_completion_class, split_arg_string

SHELLS = ["bash", "zsh", "fish", "powershell"]

_POWERSHELL_SOURCE = """\
# kops completion for PowerShell. Load it with:
#   kops completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName '%(prog_name)s' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $line = $commandAst.Extent.Text
    $upTo = $cursorPosition - $commandAst.Extent.StartOffset
    if ($upTo -lt $line.Length) { $line = $line.Substring(0, $upTo) }
    $env:COMP_LINE = $line
    $env:COMP_WORD = $wordToComplete
    $env:%(complete_var)s = 'powershell_complete'
    $answers = & '%(prog_name)s' 2>$null
    Remove-Item Env:\\%(complete_var)s, Env:\\COMP_LINE, Env:\\COMP_WORD -ErrorAction SilentlyContinue
    foreach ($answer in $answers) {
        $kind, $value, $help = $answer -split "`t", 3
        if ($kind -ne 'plain') { continue }
        if (-not $help) { $help = $value }
        [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $help)
    }
}
"""


class PowerShellComplete(ShellComplete):
    """PowerShell's side of click's completion protocol (see the module's docstring)."""

    name = "powershell"
    source_template = _POWERSHELL_SOURCE

    def get_completion_args(self) -> tuple[list[str], str]:
        words = split_arg_string(os.environ.get("COMP_LINE", ""))
        incomplete = os.environ.get("COMP_WORD", "")
        args = words[1:-1] if incomplete and words else words[1:]
        return args, incomplete

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.type}\t{item.value}\t{(item.help or '').splitlines()[0] if item.help else ''}"


add_completion_class(PowerShellComplete)


@click.command()
@click.argument("shell", type=click.Choice(SHELLS, case_sensitive=False))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:        source <(kops completion bash)
    zsh:         source <(kops completion zsh)
    fish:        kops completion fish | source
    powershell:  kops completion powershell | Out-String | Invoke-Expression
    """
    from click.shell_completion import get_completion_class
    from kops.cli.main import cli

    cls = get_completion_class(shell.lower())
    assert cls is not None  # every choice above has a class
    click.echo(cls(cli, {}, "kops", "_KOPS_COMPLETE").source())
