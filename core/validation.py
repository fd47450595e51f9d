"""Validation of a cluster spec: the API's built-in checks plus every plugin's ``kops_validate`` hook."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError, KopsError


def problems(cluster: Any, groups: list[Any]) -> list[FieldError]:
    from kops import plugins
    from kops.api.validation import validate

    found = list(validate(cluster, groups))
    found += [e for e in plugins.collect(plugins.hook().kops_validate(cluster=cluster, instance_groups=groups))
              if isinstance(e, FieldError)]
    return found


def check(cluster: Any, groups: list[Any]) -> None:
    """Raise one error naming the first problem (and how many more there are)."""
    found = problems(cluster, groups)
    if found:
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise KopsError(f"{found[0]}{more}")
