"""Rendering add-on manifests from Jinja2 templates shipped inside a package.

Core's add-ons and cloud plugins' add-ons are templates next to the code that fills them in; values are
passed in whole (never read from globals), undefined names are errors, and strings or structures that
could be misread as YAML are written with ``tojson``, which YAML reads back unchanged.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _environment(package: str) -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader(package, "templates"), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def render(package: str, template: str, values: dict[str, Any]) -> str:
    """``template`` from ``package``'s ``templates`` folder, rendered with ``values``."""
    return _environment(package).get_template(template).render(values).lstrip()
