"""How an OpenStack server proves who it is to the node credential service, and how the service checks it.

Upstream trusts the server ID a request names and checks the request's address against the server's. kops signs
instead (:mod:`kops.nodeup.machinekey`): a server reads its ID (``uuid``) and its machine key (the
``KopsMachineKey`` metadata kops set when it made the server) from its metadata service
(``/openstack/latest/meta_data.json``; ``KOPS_OPENSTACK_METADATA_URL`` moves it) and signs the request with the key.
The service asks Nova for the server the proof names: it must exist, be ``ACTIVE``, carry the cluster's
``KubernetesCluster`` metadata, a key that checks the signature, and the ``KopsInstanceGroup`` of the group it asks
for. The Node's name is the server's name (the hostname Nova gives it, which its kubelet registers).

Both sides run on machines from the node bundle, which holds no SDK: the metadata service and Nova are read over
REST with the standard library, the service authenticating to Keystone (v3) with the ``OS_*`` variables openrc files
set (a password, or an application credential, the narrower choice for a control plane).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from kops.cloud import NodeIdentity, NodeIdentityRefused
from kops.errors import KopsError
from kops.nodeup import machinekey

from kops_openstack.labels import CLUSTER_KEY, INSTANCE_GROUP_KEY, MACHINE_KEY

SCHEME = "x-openstack-key"
METADATA_URL_VARIABLE = "KOPS_OPENSTACK_METADATA_URL"
METADATA_URL = "http://169.254.169.254/openstack/latest/meta_data.json"
PROVIDER_PREFIX = "openstack:///"
TIMEOUT = 15


def _get_json(url: str, headers: dict[str, str] | None = None, body: Any = None) -> tuple[dict[str, Any], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json", **(headers or {}),
                                                               **({"Content-Type": "application/json"} if data else {})})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - URLs from the operator
        return json.loads(response.read() or b"{}"), response.headers


def proof(body: bytes) -> str:
    """On a server of the cluster: the ``Authorization`` value for ``body``, signed with the server's machine key."""
    url = os.environ.get(METADATA_URL_VARIABLE) or METADATA_URL
    try:
        document, _ = _get_json(url)
    except (OSError, ValueError) as exc:
        raise KopsError(f"cannot read this server's OpenStack metadata at {url}: {exc}") from None
    key = (document.get("meta") or {}).get(MACHINE_KEY)
    if not document.get("uuid") or not key:
        raise KopsError(f"this server's OpenStack metadata ({url}) has no uuid or no {MACHINE_KEY}: it was not made "
                        "by kops")
    return machinekey.sign(SCHEME, document["uuid"], key, body)


class Nova:
    """Nova's servers API, with a Keystone token made from the ``OS_*`` environment and made again when it expires."""

    def __init__(self, env: dict[str, str] | None = None):
        self.env = dict(os.environ if env is None else env)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self._endpoint = ""

    def _auth(self) -> dict[str, Any]:
        env = self.env
        if env.get("OS_APPLICATION_CREDENTIAL_ID") or env.get("OS_APPLICATION_CREDENTIAL_NAME"):
            credential: dict[str, Any] = {"secret": env.get("OS_APPLICATION_CREDENTIAL_SECRET", "")}
            if env.get("OS_APPLICATION_CREDENTIAL_ID"):
                credential["id"] = env["OS_APPLICATION_CREDENTIAL_ID"]
            else:
                credential.update(name=env["OS_APPLICATION_CREDENTIAL_NAME"],
                                  user={"name": env.get("OS_USERNAME", ""),
                                        "domain": {"name": env.get("OS_USER_DOMAIN_NAME", "Default")}})
            return {"identity": {"methods": ["application_credential"], "application_credential": credential}}
        user = {"name": env.get("OS_USERNAME", ""), "password": env.get("OS_PASSWORD", ""),
                "domain": {"name": env.get("OS_USER_DOMAIN_NAME", "Default")}}
        project = ({"id": env["OS_PROJECT_ID"]} if env.get("OS_PROJECT_ID") else
                   {"name": env.get("OS_PROJECT_NAME", ""), "domain": {"name": env.get("OS_PROJECT_DOMAIN_NAME",
                                                                                       "Default")}})
        return {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": project}}

    def _login(self) -> None:
        base = self.env.get("OS_AUTH_URL", "").rstrip("/")
        if not base:
            raise NodeIdentityRefused("the node credential service has no OS_AUTH_URL to ask Nova with")
        url = base + ("/auth/tokens" if base.endswith("/v3") else "/v3/auth/tokens")
        try:
            answer, headers = _get_json(url, body={"auth": self._auth()})
        except (OSError, ValueError) as exc:
            raise NodeIdentityRefused(f"Keystone at {url} refused the service's credentials ({exc})") from None
        token = answer.get("token") or {}
        interface = self.env.get("OS_INTERFACE", "public").replace("URL", "")
        region = self.env.get("OS_REGION_NAME")
        endpoints = [e for s in token.get("catalog") or [] if s.get("type") == "compute" for e in s.get("endpoints", [])
                     if e.get("interface") == interface and (not region or e.get("region_id", e.get("region")) == region)]
        if not endpoints:
            raise NodeIdentityRefused(f"Keystone's catalog has no {interface} compute endpoint"
                                      + (f" in region {region}" if region else ""))
        self._token, self._endpoint = headers.get("X-Subject-Token"), endpoints[0]["url"].rstrip("/")
        self._expires = time.time() + 600  # well inside any token's lifetime; a 401 also logs in again

    def server(self, server_id: str) -> dict[str, Any] | None:
        """The server with that ID, or None when Nova has none."""
        if not server_id.replace("-", "").isalnum():
            return None
        for attempt in (1, 2):
            with self._lock:
                if self._token is None or time.time() > self._expires:
                    self._login()
                token, endpoint = self._token, self._endpoint
            try:
                answer, _ = _get_json(f"{endpoint}/servers/{server_id}", headers={"X-Auth-Token": token or ""})
                return answer.get("server")
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return None
                if exc.code == 401 and attempt == 1:
                    with self._lock:
                        self._token = None
                    continue
                raise NodeIdentityRefused(f"Nova could not show server {server_id} (HTTP {exc.code})") from None
            except (OSError, ValueError) as exc:
                raise NodeIdentityRefused(f"Nova could not show server {server_id} ({exc})") from None
        return None


_nova: Nova | None = None
_nova_lock = threading.Lock()


def nova() -> Nova:
    global _nova
    with _nova_lock:
        if _nova is None:
            _nova = Nova()
        return _nova


def _running_server(client: Nova, server_id: str, cluster_name: str) -> dict[str, Any]:
    server = client.server(server_id)
    if server is None:
        raise NodeIdentityRefused(f"server {server_id} does not exist")
    if server.get("status") != "ACTIVE":
        raise NodeIdentityRefused(f"server {server_id} is {server.get('status')}, not ACTIVE")
    if (server.get("metadata") or {}).get(CLUSTER_KEY) != cluster_name:
        raise NodeIdentityRefused(f"server {server_id} does not belong to cluster {cluster_name} (its "
                                  f"{CLUSTER_KEY} metadata is not the cluster's name)")
    return server


def _identity(server: dict[str, Any], group: str) -> NodeIdentity:
    addresses = [a["addr"] for nets in (server.get("addresses") or {}).values() for a in nets if a.get("addr")]
    return NodeIdentity(instance_id=server["id"], instance_group=group, node_name=server["name"],
                        addresses=tuple([server["name"], *addresses]))


def verify(cluster: dict[str, Any], groups: dict[str, dict[str, Any]], authorization: str, body: bytes,
           instance_group: str, client: Nova | None = None, now: float | None = None) -> NodeIdentity:
    """See :meth:`kops.cloud.CloudProvider.verify_node_identity`."""
    name = cluster["metadata"]["name"]
    claim = machinekey.parse(SCHEME, authorization)
    server = _running_server(client or nova(), claim.machine_id, name)
    metadata = server.get("metadata") or {}
    machinekey.check(claim, metadata.get(MACHINE_KEY), body, now=now)
    machinekey.check_group(name, groups, claim.machine_id, instance_group, metadata.get(INSTANCE_GROUP_KEY, ""))
    return _identity(server, instance_group)


def identify(cluster: dict[str, Any], provider_id: str, client: Nova | None = None) -> NodeIdentity | None:
    """See :meth:`kops.cloud.CloudProvider.identify_node`: ``openstack:///<server ID>``."""
    if not provider_id.startswith(PROVIDER_PREFIX):
        return None
    try:
        server = _running_server(client or nova(), provider_id[len(PROVIDER_PREFIX):].strip("/"),
                                 cluster["metadata"]["name"])
    except NodeIdentityRefused:
        return None
    group = (server.get("metadata") or {}).get(INSTANCE_GROUP_KEY, "")
    return _identity(server, group) if group else None
