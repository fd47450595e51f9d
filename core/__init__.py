"""kops for Python: create, upgrade and delete Kubernetes clusters from the command line.

The top-level package stays tiny on purpose: ``kops --help`` imports it, and startup time is part of
the product. Hook authors use :data:`hookimpl`.
"""

from kops.hookspecs import hookimpl

__all__ = ["hookimpl", "__version__"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kops-core")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


__version__ = _version()
