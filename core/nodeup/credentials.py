"""A worker's credentials, from the node credential service (``kops controller serve``; upstream's kops-controller).

Upstream's protocol: nodeup makes a key per credential, sends the public keys in a ``BootstrapRequest``
(``bootstrap.kops.k8s.io/v1alpha1``) with ``POST /bootstrap``, and proves who it is with the cloud driver's
proof of the request's body (:meth:`kops.cloud.CloudProvider.node_identity_proof`) in the ``Authorization``
header. The service is trusted only if its certificate is issued by the cluster CA for the name in the URL.
One addition to upstream's request: ``instanceGroup``, the group the machine's configuration is for, which the
service checks against what the cloud says of the machine (upstream's Go server ignores the field).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kops.errors import KopsError

if TYPE_CHECKING:  # TLS and HTTP load when a machine asks, not when kops update writes the service's address
    import ssl

log = logging.getLogger(__name__)

API_VERSION = "bootstrap.kops.k8s.io/v1alpha1"
#: The service's port, as upstream's kops-controller.
PORT = 3988
#: The credentials a worker asks for: its kubelet's client certificate and kube-proxy's.
KUBELET, KUBE_PROXY = "kubelet", "kube-proxy"
TIMEOUT = 15


def service_url(cluster_name: str) -> str:
    """Where workers reach the service, as upstream names it."""
    return f"https://kops-controller.internal.{cluster_name}:{PORT}"


@dataclass
class NodeCredentials:
    #: The Kubernetes Node name the kubelet certificate is issued for (its CN without ``system:node:``).
    node_name: str
    #: name -> (certificate PEM, private key PEM)
    issued: dict[str, tuple[bytes, bytes]]


def request(config: dict[str, Any], server: str, names: tuple[str, ...], attempts: int = 1,
            cloud: Any = None) -> NodeCredentials:
    """Ask the service at ``server`` for ``names``; an unreachable service is tried ``attempts`` times, a refusal
    is final. The cloud driver (``cloud``) defaults to the one the configuration names."""
    from kops.nodeup import openssl

    if cloud is None:
        from kops.plugins import load_driver

        cloud = load_driver("cloud", str(config.get("CloudProvider") or ""))()
    keys = {name: openssl.generate_key() for name in names}
    body = json.dumps({
        "apiVersion": API_VERSION,
        # Upstream's server reads PKIX public keys under this label.
        "certs": {name: openssl.public_key(key).decode().replace("BEGIN PUBLIC KEY", "BEGIN RSA PUBLIC KEY")
                  .replace("END PUBLIC KEY", "END RSA PUBLIC KEY") for name, key in keys.items()},
        "keypairIDs": {k: v for k, v in (config.get("KeypairIDs") or {}).items() if k == "kubernetes-ca"},
        "includeNodeConfig": False,
        "instanceGroup": config["InstanceGroupName"],
    }, sort_keys=True).encode()
    answer = _post(server.rstrip("/") + "/bootstrap", body, cloud, _trust(config), attempts)
    certs = answer.get("Certs") or {}
    missing = [n for n in names if not certs.get(n)]
    if missing:
        raise KopsError(f"the node credential service at {server} issued no {', '.join(missing)} certificate")
    issued = {name: (certs[name].encode(), keys[name]) for name in names}
    node = openssl.common_name(issued[KUBELET][0]).removeprefix("system:node:") if KUBELET in issued else ""
    return NodeCredentials(node, issued)


def _trust(config: dict[str, Any]) -> ssl.SSLContext:
    """TLS that trusts the cluster CA alone, and checks the service's name."""
    import ssl

    bundle = (config.get("CAs") or {}).get("kubernetes-ca")
    if not bundle:
        raise KopsError("nodeup configuration: CAs.kubernetes-ca is missing; run kops update cluster again")
    context = ssl.create_default_context(cadata=bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _post(url: str, body: bytes, cloud: Any, context: ssl.SSLContext, attempts: int) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    delay, attempt = 1.0, 1
    while True:
        # A proof is good for five minutes: each attempt makes a new one.
        headers = {"Content-Type": "application/json", "Authorization": cloud.node_identity_proof(body)}
        req = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT, context=context) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            lines = exc.read().decode(errors="replace").strip().splitlines()
            detail = lines[0] if lines else str(exc.reason)
            if exc.code == 403:
                raise KopsError(f"the node credential service at {url} refused this machine ({detail}; its log "
                                "says why)") from None
            reason = f"HTTP {exc.code}: {detail}"
            if exc.code < 500:
                raise KopsError(f"the node credential service at {url} answered {reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = str(getattr(exc, "reason", exc))
        if attempt >= attempts:
            raise KopsError(f"cannot reach the node credential service at {url}: {reason}")
        log.warning("the node credential service at %s: %s; retrying in %.0fs", url, reason, delay)
        time.sleep(delay)
        delay, attempt = min(delay * 2, 30), attempt + 1
