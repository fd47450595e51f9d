"""kops for Python: create, upgrade and delete Kubernetes clusters from the command line.

The top-level package stays tiny on purpose: ``kops --help`` imports it, and startup time is part of
the product. Hook authors use :data:`hookimpl`.
"""

from kops.hookspecs import hookimpl

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


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata only when asked for: reading it imports
    :mod:`importlib.metadata`, which most commands never need."""
    if name == "__version__":
        globals()["__version__"] = value = _version()
        return value
    raise AttributeError(f"module 'kops' has no attribute {name!r}")
