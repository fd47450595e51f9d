"""The node credential service's HTTPS endpoint: upstream kops-controller's ``/bootstrap`` and ``/healthz``.

``POST /bootstrap`` takes a ``BootstrapRequest`` (``bootstrap.kops.k8s.io/v1alpha1``: the public keys of the
credentials wanted, the CA keypair IDs the machine's configuration names, and ``instanceGroup``, the group it
claims) with the cloud's proof of who the machine is in the ``Authorization`` header. The cloud driver checks
the proof (:meth:`kops.cloud.CloudProvider.verify_node_identity`); then each certificate is signed by the
cluster CA's primary keypair:

- ``kubelet``: CN ``system:node:<node name>``, O ``system:nodes`` (the Node authorizer's identity);
- ``kube-proxy``: CN ``system:kube-proxy``.

Lifetimes are upstream's: 455 days, plus up to 30 more chosen by the node's name, so that nodes made together do
not expire together. A refusal is logged with its reason and answered 403 "failed to verify token", as
upstream, so a prober learns nothing. The service serves with a certificate it issues itself from the cluster
CA at start, for ``kops-controller.internal.<cluster>`` and the addresses it listens on.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import logging
import socket
import ssl
import tempfile
from pathlib import Path
from typing import Any

from kops.cloud import NodeIdentityRefused
from kops.controller.facts import read_facts
from kops.errors import KopsError
from kops.nodeup import openssl
from kops.nodeup.credentials import API_VERSION, KUBE_PROXY, KUBELET
from kops.nodeup.keysets import read_keyset

log = logging.getLogger(__name__)

#: The CA that signs nodes' client certificates.
CA = "kubernetes-ca"
#: Credential name -> (subject; ``{node}`` is the node's name).
SUBJECTS = {KUBELET: "cn=system:node:{node},o=system:nodes", KUBE_PROXY: "cn=system:kube-proxy"}
#: Largest request body read.
MAX_BODY = 1 << 20


def lifetime_days(node_name: str) -> int:
    """455 days and up to 30 more, by the node's name (upstream's FNV-1 skew, in days)."""
    digest = 0x811C9DC5
    for byte in node_name.encode():
        digest = (digest * 0x01000193) % (1 << 32) ^ byte
    return 455 + digest % 30


class Refused(Exception):
    """A request answered with an error status; the reason is logged, ``answer`` is what the caller is told."""

    def __init__(self, status: int, reason: str, answer: str):
        super().__init__(reason)
        self.status, self.answer = status, answer


class CredentialService:
    """The service for one cluster: the state store it reads and the cloud driver that checks machines."""

    def __init__(self, store: Any, cluster_name: str, cloud: Any):
        self.store = store
        self.cluster_name = cluster_name
        self.cloud = cloud

    def bootstrap(self, authorization: str, body: bytes) -> dict[str, Any]:
        """The response to a bootstrap request, or :class:`Refused`."""
        request = _request(body)
        facts = read_facts(self.store, self.cluster_name)
        try:
            identity = self.cloud.verify_node_identity(facts.cluster, facts.groups, authorization, body,
                                                       request["instanceGroup"])
        except NodeIdentityRefused as exc:
            raise Refused(403, str(exc), "failed to verify token") from None
        keypair = read_keyset(self.store, self.cluster_name, CA).keypair()
        wanted = (request.get("keypairIDs") or {}).get(CA)
        if wanted and wanted != keypair.id:
            raise Refused(400, f"{identity.instance_id} asks for keypair {wanted} of {CA}, not the primary "
                               f"{keypair.id} (its configuration predates a rotation: update the cluster and roll "
                               "its nodes)", f"keypair ID {wanted} of {CA} is not the service's")
        certs = {}
        for name, public_key in sorted(request["certs"].items()):
            subject = SUBJECTS[name].format(node=identity.node_name)
            certs[name] = openssl.sign(keypair.certificate, keypair.private_key, _public_key(name, public_key),
                                       subject, "client", days=lifetime_days(identity.node_name)).decode()
        log.info("issued %s for node %s (instance %s, instance group %s)", ", ".join(sorted(certs)),
                 identity.node_name, identity.instance_id, identity.instance_group)
        return {"Certs": certs}

    def serving_certificate(self, folder: Path, hosts: list[str]) -> tuple[Path, Path]:
        """Issue the service's own certificate from the cluster CA into ``folder``: (certificate, key) files."""
        keypair = read_keyset(self.store, self.cluster_name, CA).keypair()
        sans = [f"kops-controller.internal.{self.cluster_name}", "localhost", "127.0.0.1", socket.gethostname()]
        sans += [h for h in hosts if h and h not in ("0.0.0.0", "::") and h not in sans]
        cert, key = openssl.issue(keypair.certificate, keypair.private_key, "cn=kops-controller", "server", sans)
        cert_path, key_path = folder / "server.crt", folder / "server.key"
        cert_path.write_bytes(cert)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key)
        return cert_path, key_path


def _request(body: bytes) -> dict[str, Any]:
    try:
        request = json.loads(body)
    except ValueError:
        raise Refused(400, "the body is not JSON", "failed to decode") from None
    if not isinstance(request, dict) or request.get("apiVersion") != API_VERSION:
        raise Refused(400, f"the body is not a {API_VERSION} request", "unexpected APIVersion")
    certs = request.get("certs")
    if not isinstance(certs, dict) or not certs or not all(isinstance(v, str) for v in certs.values()):
        raise Refused(400, "the request asks for no certificates", "no certificates requested")
    unknown = sorted(set(certs) - set(SUBJECTS))
    if unknown:
        raise Refused(400, f"the request asks for {', '.join(unknown)}, which the service does not issue",
                      "key name not enabled")
    if not isinstance(request.get("instanceGroup"), str) or not request["instanceGroup"]:
        raise Refused(400, "the request names no instanceGroup", "no instance group")
    return request


def _public_key(name: str, pem: str) -> bytes:
    """A public key as upstream's nodes send it (PKIX under an ``RSA PUBLIC KEY`` label) or as ``PUBLIC KEY``."""
    text = pem.replace("RSA PUBLIC KEY", "PUBLIC KEY").strip()
    if not text.startswith("-----BEGIN PUBLIC KEY-----") or not text.endswith("-----END PUBLIC KEY-----"):
        raise Refused(400, f"the {name} public key is not PEM", f"failed to issue {name!r}: decoding pem public key")
    return (text + "\n").encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    service: CredentialService
    server_version = "kops-controller"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/healthz":
            self._answer(200, b"ok", "text/plain")
        else:
            self._answer(404, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/bootstrap":
            self._answer(404, b"not found", "text/plain")
            return
        remote = self.client_address[0]
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                raise Refused(400, f"a body of {length} bytes", "bad request body")
            response = self.service.bootstrap(self.headers.get("Authorization") or "", self.rfile.read(length))
        except Refused as exc:
            log.warning("bootstrap from %s refused: %s", remote, exc)
            self._answer(exc.status, exc.answer.encode(), "text/plain")
            return
        except KopsError as exc:
            log.error("bootstrap from %s failed: %s", remote, exc)
            self._answer(500, b"internal error", "text/plain")
            return
        self._answer(200, json.dumps(response).encode(), "application/json")

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], context: ssl.SSLContext):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)
        self.context = context

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:  # every address: IPv4 too
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def get_request(self) -> tuple[Any, Any]:
        conn, address = self.socket.accept()
        return self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            log.debug("TLS handshake with %s failed: %s", client_address[0], exc)
            return
        super().finish_request(request, client_address)


def serve(service: CredentialService, host: str, port: int) -> None:
    """Serve HTTPS on ``host:port`` (empty host: every address) until the process ends."""
    with tempfile.TemporaryDirectory(prefix="kops-controller-") as scratch:
        cert, key = service.serving_certificate(Path(scratch), [host])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        handler = type("Handler", (_Handler,), {"service": service})
        bind = host or ("::" if _ipv6_works() else "0.0.0.0")
        server = _Server((bind, port), handler, context)
        log.warning("kops-controller for cluster %s listening on %s", service.cluster_name,
                    _address(server.server_address))
        try:
            server.serve_forever()
        finally:
            server.server_close()


def _address(address: Any) -> str:
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _ipv6_works() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::", 0))
        return True
    except OSError:
        return False


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``:PORT`` or ``[IPv6]:PORT``."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise KopsError(f"--listen {text!r}: expected HOST:PORT, such as :3988 or 127.0.0.1:3988")
    if host and not _is_hostname_or_ip(host):
        raise KopsError(f"--listen {text!r}: {host!r} is not an address or a host name")
    return host, int(port)


def _is_hostname_or_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return all(part and len(part) <= 63 for part in host.split(".")) and len(host) <= 253
