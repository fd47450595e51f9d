"""Rendering add-on manifests from Jinja2 templates shipped inside a package.

Core's add-ons and cloud plugins' add-ons are templates next to the code that fills them in (and may include core's
shared pieces, such as ``_crd.j2`` for a CustomResourceDefinition); values are
passed in whole (never read from globals), undefined names are errors, and strings or structures that
could be misread as YAML are written with ``tojson``, which YAML reads back unchanged.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _environment(package: str, trim: bool) -> Any:
    import json

    import jinja2

    # A package's own templates first, then core's, which holds pieces any add-on may include (``_crd.j2``).
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader(package, "templates"),
                                  jinja2.PackageLoader("kops.addons", "templates")])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=trim, lstrip_blocks=trim, bytecode_cache=_bytecode_cache(trim))
    # ``q``: a value as JSON, unsorted and unescaped, which YAML reads back as the same string or structure.
    env.filters["q"] = json.dumps
    return env


def _bytecode_cache(trim: bool) -> Any:
    """Templates compiled by an earlier run, kept in kops' cache (compiling them is a good part of a small cluster's
    update). Jinja keys each by its name and source's checksum, so an edited template is compiled again; it does not
    key by the environment's options, so templates compiled with and without ``trim`` are kept apart. None when the
    cache folder cannot be made."""
    import os

    import jinja2
    from kops.cache import cache_dir

    folder = cache_dir("templates", "trimmed" if trim else "as-written")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder)


def render(package: str, template: str, values: dict[str, Any], *, trim: bool = True) -> str:
    """``template`` from ``package``'s ``templates`` folder, rendered with ``values``.

    ``trim`` drops the newline after a block tag and the indentation before it (Jinja's ``trim_blocks`` and
    ``lstrip_blocks``); templates written without them pass ``trim=False``.
    """
    return _environment(package, trim).get_template(template).render(values).lstrip()
