"""Plain aligned tables as kubectl and kops print them (no box drawing: output is often piped)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for row in cells:
        click.echo("   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def print_records(records: list[dict], output: str, headers: Sequence[str], cells: Callable[[dict], list]) -> None:
    """Records as ``-o json``/``-o yaml`` (all their fields) or as a table of ``cells(record)`` under ``headers``."""
    output = output.lower()
    if output == "json":
        import json

        click.echo(json.dumps(records, indent=2))
    elif output == "yaml":
        import yaml

        click.echo(yaml.safe_dump(records, sort_keys=False), nl=False)
    else:
        print_table(headers, [cells(r) for r in records])
