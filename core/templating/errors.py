"""The errors a template can raise, each a one-line message in Go's wording."""

from __future__ import annotations

from kops.errors import KopsError


class TemplateError(KopsError):
    """A template that cannot be parsed or executed; the message names the template, line and column."""


class ParseError(TemplateError):
    """``template: NAME:LINE:COL: reason``, raised before anything is rendered."""


class ExecError(TemplateError):
    """``template: NAME:LINE:COL: executing "NAME" at <node>: reason``, raised while rendering."""


class FuncError(Exception):
    """Raised by a template function; the executor reports it as ``error calling NAME: message``."""
