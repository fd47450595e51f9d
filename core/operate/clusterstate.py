"""A running cluster as day-2 commands see it: its completed spec and cloud (from the state store), its machines
(from the cloud driver's typed contract) and its Kubernetes API (from a kubeconfig)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from kops.cloud import CloudInstanceGroup
from kops.errors import KopsError
from kops.kube import TIMEOUT, KubeAccess, unreachable


class ClusterState:
    def __init__(self, registry: Any, model: Any, kube: KubeAccess | None):
        self.registry = registry
        self.model = model
        #: How to reach the API; None when the command must not (``--cloudonly``).
        self.kube = kube

    @classmethod
    def load(cls, settings: Any, name: str, kube_args: tuple[Any, ...] | None) -> ClusterState:
        """The cluster ``name`` of the settings' state store; ``kube_args``: the kube flags, or None not to use the
        API."""
        from kops import update
        from kops.cli.specs import registry
        from kops.kube import access

        reg = registry(settings)
        model, _warnings = update.load_model(reg, name, "direct")
        return cls(reg, model, access(*kube_args) if kube_args is not None else None)

    @property
    def name(self) -> str:
        return str(self.model.cluster_name)

    @cached_property
    def api_client(self) -> Any:
        if self.kube is None:
            raise KopsError("the Kubernetes API is not used here (--cloudonly)")
        return self.kube.client(self.name)

    def nodes(self) -> list[Any]:
        """The cluster's Nodes; a one-line error naming the server when the API cannot be reached."""
        from kubernetes import client

        try:
            return list(client.CoreV1Api(self.api_client).list_node(_request_timeout=TIMEOUT).items)
        except Exception as exc:
            raise self.api_error(exc) from exc

    def api_error(self, exc: BaseException) -> BaseException:
        """An error of the API as a user should read it (or as it is, when it is not the API's)."""
        from kubernetes import client

        if isinstance(exc, KopsError):
            return exc
        server = self.api_client.configuration.host
        if isinstance(exc, client.ApiException):
            return KopsError(f"the Kubernetes API at {server} answered {exc.status} {exc.reason}")
        if unreachable(exc):
            return KopsError(f"cannot reach the Kubernetes API at {server} ({type(exc).__name__}); check the "
                             "kubeconfig, or give --api-server")
        return exc

    def groups(self, warn: Any = None) -> list[CloudInstanceGroup]:
        """Every instance group's machines, joined with their Nodes when the API is used. With ``warn`` (a preview),
        an API that cannot be asked is a warning through it and the machines come without Nodes."""
        from kops import kube
        from kops.instances import cloud_groups

        if self.kube is None:
            return cloud_groups(self.model)
        if warn is not None:
            return cloud_groups(self.model, kube.nodes(self.kube, self.name, warn))
        return cloud_groups(self.model, self.nodes())

    def reconcile(self) -> None:
        """Apply the cluster (``kops update cluster --yes``) so that every group has its machines again: what a
        cloud that does not replace machines itself (:attr:`kops.cloud.CloudProvider.replaces_instances`) needs
        after some were deleted or detached."""
        from kops import update

        update.apply(self.registry, self.name)

    def validate(self, max_unready_nodes: int = 0, control_plane_only: bool = False) -> Any:
        """Validate the cluster (:func:`kops.operate.validate.validate`)."""
        from kops.operate.validate import validate

        groups = self.groups()
        try:
            return validate(groups, self.api_client, max_unready_nodes, control_plane_only)
        except Exception as exc:
            raise self.api_error(exc) from exc

    def wait_for_api(self, timeout: float, tick: float, sleep: Any = None, clock: Any = None) -> None:
        """Wait until the control plane's nodes are Ready and its groups full: the API is served (an API that cannot
        be reached yet is waited for too); an error naming the last problem after ``timeout`` seconds."""
        import time

        sleep, clock = sleep or time.sleep, clock or time.monotonic
        deadline = clock() + timeout
        while True:
            try:
                result = self.validate(control_plane_only=True)
                if result.valid:
                    return
                problem = result.failures[0].message
            except KopsError as exc:
                problem = str(exc)
            if clock() >= deadline:
                raise KopsError(f"waiting for the Kubernetes API to be served: {problem} (after {timeout:.0f}s)")
            sleep(tick)
