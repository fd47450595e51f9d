"""A small in-memory Kubernetes API server on loopback, for testing what kops does to a cluster.

It speaks enough of the real API for clients such as the official ``kubernetes`` package, and answers as a real
server does, errors included (``Status`` bodies with the real reasons and messages):

- discovery (``/version``, ``/api``, ``/apis``, one resource list per group version, with ``pods/eviction`` and
  the ``status`` subresources);
- create (``POST``, with ``generateName``), get, list (``labelSelector`` in both forms, ``fieldSelector`` on the
  fields the real server indexes, ``limit``/``continue``), update (``PUT``, guarded by ``resourceVersion``), the
  three patches and server-side apply, delete (pods gracefully, with preconditions); ``status`` subresources;
- the Eviction API and PodDisruptionBudgets (:mod:`.disruption`);
- a controller simulation (:mod:`.controllers`): scheduler, kubelets' pod lifecycle, Deployments, ReplicaSets,
  DaemonSets, garbage collection, budget status;
- kubelets that follow a cloud's instances (:mod:`.kubelet`);
- a history of what happened, for assertions about order (:mod:`.history`).

Every request is recorded (:attr:`FakeKubeAPI.requests`) so a test can assert exactly what was sent::

    with FakeKubeAPI() as api:
        do_something(api.api_client())
        assert [r.path for r in api.applies()] == [...]

It is not a real server: nothing is validated against schemas beyond the rules in :mod:`.strategies`; a repeated
apply merges the new configuration into the stored object (fields the manager dropped are kept); there is no watch,
no dry run, no admission webhooks, no authentication; namespaces and objects with finalizers go at once.
"""

from .errors import ApiError
from .history import Entry, History
from .kubelet import Kubelets
from .server import APPLY, FakeKubeAPI, Request

__all__ = ["APPLY", "ApiError", "Entry", "FakeKubeAPI", "History", "Kubelets", "Request"]
