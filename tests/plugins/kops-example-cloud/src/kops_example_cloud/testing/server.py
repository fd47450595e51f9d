"""The example cloud's API over HTTP: a threaded standard-library server on 127.0.0.1 and a free port.

Routes (JSON bodies; errors as ``{"error": {"code", "message"}}`` with their status):

- ``GET /v1/KIND[?label=KEY[=VALUE]...]``: ``{"items": [...]}``, those carrying every label asked for;
- ``POST /v1/KIND``: create (201); ``GET``, ``PATCH``, ``DELETE /v1/KIND/ID`` (``DELETE`` answers 204);
- ``POST /v1/instances/ID/detach``: take an instance out of its pool.

With ``fail_every=N``, every Nth request is answered ``503 Unavailable`` before it takes effect, as a busy cloud
answers: clients must retry.
"""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kops_example_cloud.api import ENDPOINT_VARIABLE
from kops_example_cloud.testing.cloudstate import CloudError, CloudState


class ExampleCloudServer:
    """The API on a background thread; call :meth:`start` and :meth:`stop`. :attr:`state` is the cloud itself,
    which tests may read."""

    def __init__(self, fail_every: int = 0):
        self.state = CloudState()
        self.fail_every = fail_every
        self._requests = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "the server is not started"
        return f"http://127.0.0.1:{self._server.server_port}"

    def environ(self) -> dict[str, str]:
        return {ENDPOINT_VARIABLE: self.endpoint}

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="example-cloud-api", daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        """The status and JSON body of one request."""
        if self.fail_every and next(self._requests) % self.fail_every == 0:
            raise CloudError(503, "Unavailable", "the service is busy; try again")
        url = urlsplit(path)
        parts = url.path.strip("/").split("/")
        if parts[0] != "v1" or not 2 <= len(parts) <= 4:
            raise CloudError(404, "NotFound", f"no route {url.path}")
        kind, rest = parts[1], parts[2:]
        state = self.state
        match method, rest:
            case "GET", []:
                return 200, {"items": state.listing(kind, parse_qs(url.query).get("label", []))}
            case "POST", []:
                return 201, state.create(kind, body or {})
            case "GET", [resource_id]:
                return 200, state.get(kind, resource_id)
            case "PATCH", [resource_id]:
                return 200, state.update(kind, resource_id, body or {})
            case "DELETE", [resource_id]:
                state.delete(kind, resource_id)
                return 204, None
            case "POST", [resource_id, "detach"] if kind == "instances":
                return 200, state.detach(resource_id)
        raise CloudError(405, "MethodNotAllowed", f"{method} {url.path} is not a call of this API")


def _handler(server: ExampleCloudServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                if body is not None and not isinstance(body, dict):
                    raise CloudError(400, "InvalidArgument", "the body must be a JSON object")
                status, payload = server.answer(self.command, self.path, body)
            except CloudError as exc:
                status, payload = exc.status, {"error": {"code": exc.code, "message": exc.message}}
            except ValueError as exc:
                status, payload = 400, {"error": {"code": "InvalidArgument", "message": f"malformed JSON: {exc}"}}
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a test's output is its own."""

    return Handler
