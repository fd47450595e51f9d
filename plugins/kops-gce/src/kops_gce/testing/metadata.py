"""A stand-in for a GCE instance's metadata server and for Google's token signer, on one loopback port.

- ``GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=AUD[&format=full]`` (with the
  ``Metadata-Flavor: Google`` header, else 403 as Google answers): an identity token for the instance the stand-in
  is being (:meth:`FakeMetadata.be`), signed RS256 by its key, with Google's claims (``iss``, ``aud``, ``azp``,
  ``sub``, ``email``, ``iat``, ``exp`` an hour later) and, with ``format=full``, the ``google.compute_engine``
  claims (project, zone, instance ID and name). ``instance/service-accounts/default/token`` gives an access token
  (which the Compute fake does not check) and ``instance/service-accounts/default/`` the account, as Google's
  libraries ask them; ``project/project-id`` and ``instance/{name,id,zone}`` answer too.
- ``GET /oauth2/v3/certs``: the key as a JSON Web Key Set, as Google publishes its keys.

Point a machine at it with ``GCE_METADATA_HOST=<host>`` and the node credential service with
``KOPS_GCE_ID_TOKEN_CERTS_URL=<certs_url>``. The key is made with ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ISSUER = "https://accounts.google.com"
TOKEN_LIFETIME = 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Instance:
    """The instance the metadata server belongs to."""

    project: str
    zone: str
    name: str
    id: str
    project_number: str
    service_account: str


class FakeMetadata:
    """Listens on 127.0.0.1 from :meth:`start` (or ``with``) to :meth:`stop`. ``key`` (an RSA private key of
    ``cryptography``) is made when not given; ``kid`` is its ID in tokens and in the key set. ``clock`` gives
    the time tokens are issued at (``time.time`` by default)."""

    def __init__(self, key: Any = None, kid: str | None = None, clock: Any = None):
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        self.n, self.e = numbers.n, numbers.e
        self.kid = kid or hashlib.sha1(self.n.to_bytes(256, "big")).hexdigest()
        self.clock = clock or time.time
        self.instance: Instance | None = None
        #: The token requests answered: (audience, format) for identity tokens, ("access token", "") for the
        #: service account's access tokens.
        self.requests: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    def be(self, project: str, zone: str, name: str, instance_id: str | int) -> FakeMetadata:
        """Answer as the metadata server of this instance from now on."""
        number = project_number_of(project)
        self.instance = Instance(project, zone, name, str(instance_id), number,
                                 f"{number}-compute@developer.gserviceaccount.com")
        return self

    # --- what it answers ---------------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        def encode(value: int) -> str:
            return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": encode(self.n),
                          "e": encode(self.e)}]}

    def token(self, audience: str, full: bool = True, **override: Any) -> str:
        """An identity token for the current instance, as the metadata server gives it (claims in ``override``
        replace or add to Google's)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        instance = self.instance
        if instance is None:
            raise RuntimeError("the fake metadata server is no instance's yet: call be() first")
        now = int(self.clock())
        subject = str(int(hashlib.sha256(instance.service_account.encode()).hexdigest()[:20], 16))
        claims: dict[str, Any] = {"aud": audience, "azp": subject, "email": instance.service_account,
                                  "email_verified": True, "exp": now + TOKEN_LIFETIME, "iat": now, "iss": ISSUER,
                                  "sub": subject}
        if full:
            claims["google"] = {"compute_engine": {
                "instance_creation_timestamp": now - 60, "instance_id": instance.id,
                "instance_name": instance.name, "project_id": instance.project,
                "project_number": int(instance.project_number), "zone": instance.zone}}
        claims.update(override)
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signed = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signed}.{_b64url(signature)}"

    # --- serving -----------------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """``HOST:PORT``, the value of ``GCE_METADATA_HOST``."""
        assert self._server is not None, "the fake metadata server is not started"
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def certs_url(self) -> str:
        return f"http://{self.host}/oauth2/v3/certs"

    def start(self) -> FakeMetadata:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-metadata", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeMetadata:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/oauth2/v3/certs":
            return _send(handler, 200, json.dumps(self.jwks()), "application/json",
                         {"Cache-Control": "public, max-age=300"})
        if url.path == "/":  # how Google's libraries tell they run on GCE
            return _send(handler, 200, "computeMetadata/")
        if not url.path.startswith("/computeMetadata/v1/"):
            return _send(handler, 404, "not found")
        if handler.headers.get("Metadata-Flavor") != "Google":
            return _send(handler, 403, "Missing required header: Metadata-Flavor")
        instance, path = self.instance, url.path[len("/computeMetadata/v1/"):]
        if instance is None:
            return _send(handler, 404, "not found")
        if path == "instance/service-accounts/default/identity":
            if not query.get("audience"):
                return _send(handler, 400, "non-empty audience parameter required")
            self.requests.append((query["audience"], query.get("format", "standard")))
            return _send(handler, 200, self.token(query["audience"], full=query.get("format") == "full"))
        if path == "instance/service-accounts/default/token":
            self.requests.append(("access token", ""))
            access = {"access_token": "ya29." + secrets.token_urlsafe(32), "expires_in": 3599, "token_type": "Bearer"}
            return _send(handler, 200, json.dumps(access), "application/json")
        if path == "instance/service-accounts/default/":
            account = {"aliases": ["default"], "email": instance.service_account,
                       "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}
            return _send(handler, 200, json.dumps(account), "application/json")
        answers = {"project/project-id": instance.project, "instance/name": instance.name, "instance/id": instance.id,
                   "instance/zone": f"projects/{instance.project_number}/zones/{instance.zone}",
                   "project/numeric-project-id": instance.project_number}
        if path in answers:
            return _send(handler, 200, answers[path])
        return _send(handler, 404, "not found")


def project_number_of(project: str) -> str:
    """A stable 12-digit number for a project's name."""
    return str(100000000000 + int(hashlib.sha256(project.encode()).hexdigest()[:8], 16))


def _send(handler: BaseHTTPRequestHandler, status: int, text: str, kind: str = "application/text",
          headers: dict[str, str] | None = None) -> None:
    body = text.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Metadata-Flavor", "Google")
    handler.end_headers()
    handler.wfile.write(body)
