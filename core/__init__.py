"""kops for Python: create, upgrade and delete Kubernetes clusters from the command line.

The top-level package stays tiny on purpose: ``kops --help`` imports it, and startup time is part of
the product. Hook authors use :data:`hookimpl`.
"""

from typing import Any

__all__ = ["hookimpl", "__version__"]


def _version() -> str:
    from kops.entrypoints import distribution_version

    cached = distribution_version("kops-core")  # kops-core declares entry points, so its version is kept with them
    if cached:
        return cached
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kops-core")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata only when asked for: reading it imports
    :mod:`importlib.metadata`, which most commands never need. ``hookimpl`` likewise imports pluggy only when a
    plugin asks for it."""
    if name == "__version__":
        globals()["__version__"] = value = _version()
        return value
    if name == "hookimpl":
        from kops.hookspecs import hookimpl

        globals()["hookimpl"] = hookimpl
        return hookimpl
    raise AttributeError(f"module 'kops' has no attribute {name!r}")
