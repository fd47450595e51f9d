"""Flag conventions kOps users have in their fingers, on top of click.

- Boolean flags take ``--flag``, ``--flag=true`` and ``--flag=false`` (cobra's syntax), never the next
  argument, so ``kops create cluster --bastion my.example.com`` still reads the name.
- List flags take ``--zones a,b`` as well as ``--zones a --zones b``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

_TRUE = {"true", "t", "1", "yes"}
_FALSE = {"false", "f", "0", "no"}


class KopsCommand(click.Command):
    """A command whose boolean flags also accept ``=true`` / ``=false``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, rewrite_bool_flags(self.params, args))


class KopsCommandGroup(click.Group):
    """A group that makes its subcommands :class:`KopsCommand` and rewrites its own boolean flags."""

    command_class = KopsCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, rewrite_bool_flags(self.params, args))


def rewrite_bool_flags(params: Iterable[click.Parameter], args: list[str]) -> list[str]:
    positives: dict[str, str] = {}
    negatives: dict[str, str] = {}
    for p in params:
        if isinstance(p, click.Option) and p.is_flag and p.secondary_opts:
            for opt in p.opts:
                positives[opt] = opt
                negatives[opt] = p.secondary_opts[0]
    if not positives:
        return args
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        name, sep, value = arg.partition("=")
        if sep and name in positives:
            low = value.lower()
            if low in _TRUE:
                out.append(positives[name])
                continue
            if low in _FALSE:
                out.append(negatives[name])
                continue
            raise click.BadParameter(f"{value!r} is not a boolean (use true or false)", param_hint=name)
        out.append(arg)
    return out


def bool_flag(name: str, help: str, default: bool | None = None) -> Any:
    """A ``--name`` flag that also accepts ``--name=false``; the value is None when not given and no default."""
    negative = "--no-" + name.removeprefix("--")
    return click.option(f"{name}/{negative}", default=default, help=help, show_default=False)


def split_list(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...] | None) -> list[str] | None:
    """Callback for ``multiple=True`` options: ``("a,b", "c")`` -> ``["a", "b", "c"]``; None when not given."""
    if not values:
        return None
    out: list[str] = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def list_option(*names: str, help: str, metavar: str = "LIST") -> Any:
    return click.option(*names, multiple=True, callback=split_list, metavar=metavar, help=help)


def split_assignments(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...] | None) -> list[str] | None:
    """``--set a=1,2,b=3`` -> ``["a=1,2", "b=3"]``.

    Each flag is read as upstream reads it, as one line of CSV, so a quoted assignment keeps its commas
    (``--set '"spec.kubelet.taints=a=b:NoSchedule,c=d:NoSchedule"'``); beyond upstream, a piece without ``=`` is a
    further value of the assignment before it rather than an error.
    """
    import csv

    if not values:
        return None
    out: list[str] = []
    for value in values:
        try:
            pieces = next(csv.reader([value]), []) if '"' in value else value.split(",")
        except csv.Error:  # a line break inside: not CSV, and refused later with the field it is in
            pieces = value.split(",")
        for piece in pieces:
            if out and "=" not in piece:
                out[-1] += "," + piece
            else:
                out.append(piece)
    return [a for a in out if a.strip()]
