"""What every task is handed during a run: the cluster, the cloud, this run's discovery snapshot."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kops.engine.discovery import Snapshot
from kops.engine.retry import CloudErrors

T = TypeVar("T")


class _Clients:
    """Cloud SDK clients made once per run, on first use, whichever thread asks first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[str, Any] = {}

    def get(self, name: str, factory: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._made:
                self._made[name] = factory()
            return self._made[name]


@dataclasses.dataclass
class Context:
    """The per-run context. Make a new one (with a new snapshot) for every plan or apply."""

    #: The cluster's name; tasks use it for tags and naming.
    cluster_name: str
    #: The cloud plugin's handle (region, project, credentials...), opaque to the engine.
    cloud: Any = None
    #: This run's listings of the cloud's resources.
    snapshot: Snapshot = dataclasses.field(default_factory=Snapshot)
    #: How the cloud's errors read: which to retry, which mean its endpoint is unreachable, how to say them.
    errors: CloudErrors = dataclasses.field(default_factory=CloudErrors)
    log: logging.Logger = dataclasses.field(default_factory=lambda: logging.getLogger("kops.engine"))
    #: The cluster's state store, for tasks that keep files there (the files nodes boot from).
    store: Any = None
    #: The target running the tasks; set by the target itself.
    target: Any = None
    _clients: _Clients = dataclasses.field(default_factory=_Clients, repr=False)

    def client(self, name: str, factory: Callable[[], T]) -> T:
        """The SDK client called ``name``, made by ``factory`` the first time it is asked for in this run."""
        return self._clients.get(name, factory)
