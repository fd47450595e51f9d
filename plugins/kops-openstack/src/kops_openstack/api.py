"""The OpenStack handle a run works with: an openstacksdk connection made on first use from the ``OS_*``
environment (``openstack.connect()`` reads it), and how the services' errors read (:data:`ERRORS`)."""

from __future__ import annotations

import threading
from typing import Any

from kops.engine import CloudErrors

#: HTTP statuses a later try may not get: throttling and the services' own trouble.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


def status(exc: BaseException) -> int | None:
    """The HTTP status of an openstacksdk error, or None for anything else."""
    code = getattr(exc, "status_code", None)
    return int(code) if isinstance(code, int) else None


def not_found(exc: BaseException) -> bool:
    return status(exc) == 404


class OpenstackErrors(CloudErrors):
    def transient(self, exc: BaseException) -> bool:
        code = status(exc)
        # 409: the resource is busy (a port still attached, a router still being changed), unless it says the
        # resource already exists, which no later try changes.
        return code in TRANSIENT_STATUSES or (code == 409 and "already exists" not in str(exc))

    def unreachable(self, exc: BaseException) -> str | None:
        try:
            from keystoneauth1 import exceptions as ksa
        except ImportError:  # pragma: no cover - openstacksdk brings keystoneauth1
            return None
        if isinstance(exc, ksa.ConnectFailure | ksa.ConnectTimeout | ksa.EndpointNotFound):
            return str(getattr(exc, "url", None) or exc)
        return None

    def explain(self, exc: BaseException) -> str | None:
        try:
            from keystoneauth1 import exceptions as ksa
        except ImportError:  # pragma: no cover
            return None
        if isinstance(exc, ksa.MissingRequiredOptions | ksa.MissingAuthPlugin):
            return "no OpenStack credentials: source the cloud's openrc (OS_AUTH_URL, OS_USERNAME, ...) first"
        if isinstance(exc, ksa.Unauthorized) or status(exc) == 401:
            return f"OpenStack refused the credentials: {str(exc).splitlines()[0] if str(exc) else exc}"
        return None


ERRORS = OpenstackErrors()

_lock = threading.Lock()
_connection: Any = None


def connection() -> Any:
    """The openstacksdk connection for this run, made once from the ``OS_*`` environment."""
    global _connection
    with _lock:
        if _connection is None:
            import openstack

            _connection = openstack.connect()
        return _connection
