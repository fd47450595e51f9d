"""Reaching a cluster's Kubernetes API, for the commands that talk to it (``get instances``, ``validate cluster``,
``rolling-update cluster``, ``delete instance``, ``toolbox addons apply``), as upstream's commands reach it.

Credentials come from a kubeconfig (``--kubeconfig``, else ``KUBECONFIG``, else ``~/.kube/config``), from its
context named after the cluster (what ``kops export kubeconfig`` writes); without one, its current context. The
server is the context's own with ``--use-kubeconfig`` (plain http allowed, for test servers), the one
``--api-server`` names, or else the context's. Every call has a short connect timeout, so an API that cannot be
reached is known within seconds.

The official ``kubernetes`` client is imported only when a command asks for a client.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from kops.errors import KopsError

#: (connect, read) seconds of every call.
TIMEOUT = (4, 30)


@dataclass(frozen=True)
class KubeAccess:
    """How to reach a cluster's API, from the commands' shared flags (:func:`kube_options`)."""

    kubeconfig: str | None = None
    api_server: str | None = None
    use_kubeconfig: bool = False

    def path(self) -> str:
        if self.kubeconfig:
            return self.kubeconfig
        listed = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
        return next((p for p in listed if Path(p).is_file()), listed[0] if listed else
                    str(Path.home() / ".kube" / "config"))

    def client(self, cluster_name: str) -> Any:
        """A ``kubernetes.client.ApiClient`` for the cluster; a one-line error when no kubeconfig can give one."""
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        path = self.path()
        if not Path(path).is_file():
            raise KopsError(f"no kubeconfig at {path}: run kops export kubeconfig {cluster_name} --admin, or give "
                            "--kubeconfig")
        try:
            contexts, _ = config.list_kube_config_contexts(config_file=path)
            context = cluster_name if any(c["name"] == cluster_name for c in contexts) else None
            configuration = client.Configuration()
            config.load_kube_config(config_file=path, context=context, client_configuration=configuration,
                                    persist_config=False)
        except ConfigException as exc:
            raise KopsError(f"kubeconfig {path}: {exc}") from exc
        if self.api_server and not self.use_kubeconfig:
            configuration.host = self.api_server.rstrip("/")
        configuration.retries = 1
        # A retried connection is said once, by the command, as one line; not by urllib3's log as well.
        logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
        return client.ApiClient(configuration)


def kube_options(f: Any) -> Any:
    """The flags of every command that talks to the cluster's API, as upstream's (``kubeconfig``, ``api_server``,
    ``use_kubeconfig``; :func:`access` makes them a :class:`KubeAccess`)."""

    f = click.option("--use-kubeconfig", is_flag=True, default=False,
                     help="Use the server of the kubeconfig's context as it is, instead of inferring it.")(f)
    f = click.option("--api-server", metavar="URL", help="The API server to reach (overrides the kubeconfig's).")(f)
    f = click.option("--kubeconfig", type=click.Path(dir_okay=False),
                     help="The kubeconfig to reach the cluster with (default: $KUBECONFIG, else ~/.kube/config).")(f)
    return f


def access(kubeconfig: str | None, api_server: str | None, use_kubeconfig: bool) -> KubeAccess:
    return KubeAccess(kubeconfig, api_server, use_kubeconfig)


def unreachable(exc: BaseException) -> bool:
    """Whether an error says the API could not be reached at all (refused, unresolvable, timed out)."""
    import urllib3.exceptions

    return isinstance(exc, urllib3.exceptions.MaxRetryError | urllib3.exceptions.HTTPError | OSError)


def nodes(kube: KubeAccess, cluster_name: str, warn: Any) -> list[Any] | None:
    """The cluster's Nodes, or None (after one warning through ``warn``) when the API cannot be reached."""
    from kubernetes import client

    try:
        api = client.CoreV1Api(kube.client(cluster_name))
        return list(api.list_node(_request_timeout=TIMEOUT).items)
    except KopsError as exc:
        warn(f"the Kubernetes API of {cluster_name} cannot be asked ({exc}); node names are left out")
    except Exception as exc:
        if not unreachable(exc) and not isinstance(exc, client.ApiException):
            raise
        reason = f"{exc.status} {exc.reason}" if isinstance(exc, client.ApiException) else type(exc).__name__
        warn(f"the Kubernetes API of {cluster_name} cannot be reached ({reason}); node names are left out")
    return None
