"""Editing a spec in ``$EDITOR`` the way ``kubectl edit`` does: invalid input re-opens the editor with
the error at the top; closing it unchanged cancels; nothing is stored until the input is valid."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click
from kops.errors import KopsError

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n#\n")


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")).strip()


def edit_until_valid(original: str, accept: Callable[[str], Any]) -> Any | None:
    """Open the editor until ``accept(text)`` succeeds; None when the user cancels or changes nothing."""
    editor = os.environ.get("KOPS_EDITOR") or os.environ.get("EDITOR") or "vi"
    text = HEADER + original
    last_failed: str | None = None
    while True:
        edited = click.edit(text, editor=editor, extension=".yaml", require_save=False)
        body = _strip_comments(edited if edited is not None else text)
        if not body:
            click.echo("Edit cancelled: the file was emptied.", err=True)
            return None
        if body == _strip_comments(original):
            click.echo("Edit cancelled, no changes made.", err=True)
            return None
        if last_failed is not None and body == last_failed:
            raise KopsError("edit abandoned: the file was saved again with the same error")
        try:
            return accept(body)
        except KopsError as exc:
            last_failed = body
            text = HEADER + "# Error: " + str(exc).replace("\n", "\n# ") + "\n#\n" + body + "\n"
