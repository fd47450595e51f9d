"""Node labels: each registered Node gets its instance group's labels, as upstream's kops-controller gives them.

Kubelets may not label their own Nodes in the ``kubernetes.io`` and ``k8s.io`` namespaces (the NodeRestriction
admission plugin), so nodeup does not pass them: this loop finds each Node's machine from its ``spec.providerID``
(:meth:`kops.cloud.CloudProvider.identify_node`), and sets what :func:`kops.model.node_labels` says the group's
nodes carry (the role's labels, the kubelet's ``nodeLabels``, the group's ``nodeLabels``) and
``kops.k8s.io/instancegroup``. Labels are added or corrected, never removed, and a Node that already has them is
not written to. A machine's group is asked of the cloud once.

It talks to the API with the standard library: the local API server (on a control-plane machine) with a client
certificate it issues itself from the cluster CA (``system:masters``: the service holds the CA's key, so this
grants it nothing it could not take), or a kubeconfig.
"""

from __future__ import annotations

import base64
import json
import logging
import ssl
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from kops.controller.facts import read_facts
from kops.errors import KopsError
from kops.model import INSTANCE_GROUP_LABEL, node_labels

log = logging.getLogger(__name__)

#: The API server on a control-plane machine.
LOCAL_API = "https://127.0.0.1"
TIMEOUT = 30


class KubeAPI:
    """GET and merge-PATCH against one API server."""

    def __init__(self, server: str, context: ssl.SSLContext | None, headers: dict[str, str] | None = None):
        self.server, self.context, self.headers = server.rstrip("/"), context, dict(headers or {})

    def get(self, path: str) -> Any:
        return self._call("GET", path)

    def merge_patch(self, path: str, patch: dict[str, Any]) -> Any:
        return self._call("PATCH", path, json.dumps(patch).encode(), "application/merge-patch+json")

    def _call(self, method: str, path: str, body: bytes | None = None, kind: str = "application/json") -> Any:
        request = urllib.request.Request(self.server + path, data=body, method=method,
                                         headers={**self.headers, "Accept": "application/json", "Content-Type": kind})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT, context=self.context) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            try:
                detail = json.loads(detail).get("message", detail)
            except ValueError:
                pass
            raise KopsError(f"{method} {self.server}{path}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise KopsError(f"{method} {self.server}{path}: {getattr(exc, 'reason', exc)}") from None


def from_kubeconfig(path: str, folder: Path) -> KubeAPI:
    """The API of a kubeconfig's current context (CA and client certificate data, or a token); files it needs are
    written into ``folder``."""
    import yaml

    config = yaml.safe_load(Path(path).read_text()) or {}
    current = config.get("current-context")
    context = next((c["context"] for c in config.get("contexts") or [] if c.get("name") == current), None)
    if context is None:
        raise KopsError(f"{path}: no current context")
    cluster = next(c["cluster"] for c in config.get("clusters") or [] if c.get("name") == context.get("cluster"))
    users: list[dict[str, Any]] = [u.get("user") or {} for u in config.get("users") or []
                                   if u.get("name") == context.get("user")]
    user = users[0] if users else {}
    tls = None
    if str(cluster["server"]).startswith("https://"):
        ca = cluster.get("certificate-authority-data")
        tls = ssl.create_default_context(cadata=base64.b64decode(ca).decode() if ca else None)
        if cluster.get("insecure-skip-tls-verify"):
            tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
        if user.get("client-certificate-data"):
            cert, key = folder / "client.crt", folder / "client.key"
            cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
            key.touch(mode=0o600)
            key.write_bytes(base64.b64decode(user["client-key-data"]))
            tls.load_cert_chain(cert, key)
    headers = {"Authorization": f"Bearer {user['token']}"} if user.get("token") else {}
    return KubeAPI(str(cluster["server"]), tls, headers)


def local_api(store: Any, cluster_name: str, folder: Path) -> KubeAPI:
    """The local API server, with a client certificate issued from the cluster CA into ``folder``."""
    from kops.nodeup import openssl
    from kops.nodeup.keysets import read_keyset

    keypair = read_keyset(store, cluster_name, "kubernetes-ca").keypair()
    cert, key = openssl.issue(keypair.certificate, keypair.private_key, "cn=kops-controller,o=system:masters")
    (folder / "client.crt").write_bytes(cert)
    (folder / "client.key").touch(mode=0o600)
    (folder / "client.key").write_bytes(key)
    tls = ssl.create_default_context(cadata=keypair.certificate.decode())
    tls.load_cert_chain(folder / "client.crt", folder / "client.key")
    return KubeAPI(LOCAL_API, tls)


class NodeLabeler:
    def __init__(self, store: Any, cluster_name: str, cloud: Any, api: KubeAPI):
        self.store, self.cluster_name, self.cloud, self.api = store, cluster_name, cloud, api
        #: providerID -> instance group, as the cloud said.
        self._groups: dict[str, str] = {}

    def tick(self) -> dict[str, dict[str, str]]:
        """Label every Node that lacks its group's labels; node name -> the labels set."""
        facts = read_facts(self.store, self.cluster_name)
        spec = facts.cluster["spec"]
        changed = {}
        for node in self.api.get("/api/v1/nodes").get("items") or []:
            name = node["metadata"]["name"]
            provider_id = (node.get("spec") or {}).get("providerID") or ""
            group_name = self._group(facts.cluster, provider_id) if provider_id else None
            group = facts.groups.get(group_name or "")
            if group is None:
                continue
            wanted = {**node_labels(spec, group), INSTANCE_GROUP_LABEL: group_name}
            have = node["metadata"].get("labels") or {}
            missing = {k: v for k, v in wanted.items() if have.get(k) != v}
            if missing:
                self.api.merge_patch(f"/api/v1/nodes/{name}", {"metadata": {"labels": missing}})
                log.info("labelled node %s (instance group %s): %s", name, group_name,
                         ", ".join(f"{k}={v}" for k, v in sorted(missing.items())))
                changed[name] = missing
        return changed

    def _group(self, cluster: dict[str, Any], provider_id: str) -> str | None:
        if provider_id not in self._groups:
            identity = self.cloud.identify_node(cluster, provider_id)
            if identity is None:
                return None
            self._groups[provider_id] = identity.instance_group
        return self._groups[provider_id]

    def run_forever(self, interval: float, stop: threading.Event | None = None) -> None:
        """Label nodes every ``interval`` seconds; a failure (the API not up yet) is logged and tried again."""
        stop = stop or threading.Event()
        failing = ""
        while True:
            try:
                self.tick()
                failing = ""
            except KopsError as exc:
                if str(exc) != failing:  # said once while it lasts
                    log.warning("labelling nodes: %s (trying again every %gs)", exc, interval)
                failing = str(exc)
            if stop.wait(interval):
                return


def start(store: Any, cluster_name: str, cloud: Any, interval: float, kubeconfig: str | None) -> threading.Thread:
    """The label loop in a background thread, reaching the API through ``kubeconfig`` or locally."""
    folder = Path(tempfile.mkdtemp(prefix="kops-controller-api-"))
    api = from_kubeconfig(kubeconfig, folder) if kubeconfig else local_api(store, cluster_name, folder)
    labeler = NodeLabeler(store, cluster_name, cloud, api)
    thread = threading.Thread(target=labeler.run_forever, args=(interval,), name="node-labels", daemon=True)
    thread.start()
    return thread
