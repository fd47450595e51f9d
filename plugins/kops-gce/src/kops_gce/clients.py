"""Google API clients that honour the Google tools' own variables, so the same code talks to Google or to a
stand-in:

- ``CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`` (as gcloud reads it: the API's base URL, such as
  ``http://127.0.0.1:PORT/compute/v1/``) points Compute clients elsewhere;
- ``CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true`` (gcloud's ``auth/disable_credentials``) sends requests without
  credentials, which a stand-in needs on a machine that has none; otherwise the clients find Application
  Default Credentials as usual.

- ``CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM`` and ``CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER`` (the
  API's root, such as ``http://127.0.0.1:PORT/``) point the REST calls kops makes to those APIs elsewhere
  (:func:`api_root`, :func:`rest_session`).

google-cloud-storage needs no help: ``STORAGE_EMULATOR_HOST`` points it at a stand-in and makes it anonymous.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

from kops.errors import KopsError

COMPUTE_ENDPOINT_VARIABLE = "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE"
DISABLE_CREDENTIALS_VARIABLE = "CLOUDSDK_AUTH_DISABLE_CREDENTIALS"
_API_PATH = "compute/v1/"
#: The connections a REST session keeps to one host.
REST_CONNECTIONS = 32

T = TypeVar("T")


def compute_endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """The ``api_endpoint`` for google-cloud-compute's REST transport (scheme, host and any path prefix: the
    transport adds ``/compute/v1/...`` itself), or None for Google's own."""
    env = os.environ if environ is None else environ
    override = (env.get(COMPUTE_ENDPOINT_VARIABLE) or "").strip()
    if not override:
        return None
    base = override if override.endswith("/") else override + "/"
    if not base.endswith("/" + _API_PATH) or "://" not in base:
        raise KopsError(f"{COMPUTE_ENDPOINT_VARIABLE}={override!r} is not a Compute API base URL such as "
                        "https://compute.googleapis.com/compute/v1/")
    return base[: -len(_API_PATH) - 1]


def credentials_disabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether gcloud's ``auth/disable_credentials`` is on (gcloud's true values: 1, true, yes, on)."""
    env = os.environ if environ is None else environ
    return (env.get(DISABLE_CREDENTIALS_VARIABLE) or "").strip().lower() in ("1", "true", "yes", "on")


def api_root(api: str, environ: Mapping[str, str] | None = None) -> str:
    """The root URL of one of Google's REST APIs (``iam`` -> ``https://iam.googleapis.com/``), or gcloud's override
    of it (``CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM``); it ends with ``/``, and a path such as ``v1/projects/P``
    follows it."""
    env = os.environ if environ is None else environ
    variable = f"CLOUDSDK_API_ENDPOINT_OVERRIDES_{api.upper()}"
    override = (env.get(variable) or "").strip()
    if override and "://" not in override:
        raise KopsError(f"{variable}={override!r} is not a URL such as https://{api}.googleapis.com/")
    root = override or f"https://{api}.googleapis.com/"
    return root if root.endswith("/") else root + "/"


def rest_session(environ: Mapping[str, str] | None = None) -> Any:
    """A ``requests`` session for Google's REST APIs: with Application Default Credentials (the cloud-platform
    scope), or without any when credentials are disabled. It keeps as many connections as a run has tasks at
    once (:data:`REST_CONNECTIONS`), so none is dropped with urllib3's warning."""
    import requests
    from requests.adapters import HTTPAdapter

    if credentials_disabled(environ):
        session = requests.Session()
    else:
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
        session = AuthorizedSession(credentials)
    for scheme in ("https://", "http://"):
        session.mount(scheme, HTTPAdapter(pool_connections=4, pool_maxsize=REST_CONNECTIONS))
    return session


def compute_client(client_class: type[T], environ: Mapping[str, str] | None = None) -> T:
    """A ``google.cloud.compute_v1`` client (``compute_client(compute_v1.InstancesClient)``) on the REST
    transport, at the overridden endpoint and anonymous when credentials are disabled."""
    from google.api_core.client_options import ClientOptions

    kwargs: dict[str, Any] = {"transport": "rest"}
    endpoint = compute_endpoint(environ)
    if endpoint:
        kwargs["client_options"] = ClientOptions(api_endpoint=endpoint)
    if credentials_disabled(environ):
        from google.auth.credentials import AnonymousCredentials

        kwargs["credentials"] = AnonymousCredentials()
    client = client_class(**kwargs)
    _poll_operations_alike(client, kwargs)
    return client


def _poll_operations_alike(client: Any, kwargs: dict[str, Any]) -> None:
    """google-cloud-compute polls an operation (``operation.result()``) through a zone, region or global
    operations client it makes on first use without the caller's endpoint or credentials, so polls would go to
    compute.googleapis.com whatever the endpoint. Hand the transport operations clients made like this one (the
    transport keeps them by these names in ``_extended_operations_services``)."""
    services = getattr(getattr(client, "_transport", None), "_extended_operations_services", None)
    if not isinstance(services, dict) or "client_options" not in kwargs and "credentials" not in kwargs:
        return
    from google.cloud import compute_v1

    for key, cls in (("global_operations", compute_v1.GlobalOperationsClient),
                     ("region_operations", compute_v1.RegionOperationsClient),
                     ("zone_operations", compute_v1.ZoneOperationsClient)):
        services.setdefault(key, cls(**kwargs))
