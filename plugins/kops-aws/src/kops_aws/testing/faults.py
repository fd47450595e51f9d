"""A loopback HTTP proxy in front of the AWS emulator that makes a share of calls fail, as AWS sometimes does,
and can add a round-trip delay to every call.

Failed calls get the answers AWS gives under load (HTTP 503 ``ServiceUnavailable`` or 400
``Throttling``), before reaching the emulator, so a failed call never has an effect. The proxy also
counts the calls it passed, so a test can kill a client at a chosen point of its run.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_FAILURES = [
    (503, "ServiceUnavailable", "Service is unavailable; please retry."),
    (400, "Throttling", "Rate exceeded"),
    (500, "InternalError", "We encountered an internal error. Please try again."),
]
#: The same errors as the JSON-protocol services (SQS, EventBridge, ...) name them.
_JSON_CODES = {"ServiceUnavailable": "ServiceUnavailableException", "Throttling": "ThrottlingException",
               "InternalError": "InternalFailure"}


def error_body(headers: Any, body: bytes, code: str, message: str) -> tuple[bytes, str]:
    """An error in the protocol of the service called, as AWS would send it: JSON for JSON protocols,
    EC2's own XML for EC2, ``ErrorResponse`` XML for the other query protocols, ``Error`` XML for REST."""
    if headers.get("X-Amz-Target"):
        return json.dumps({"__type": _JSON_CODES.get(code, code), "message": message}).encode(), \
            "application/x-amz-json-1.1"
    if b"Version=2016-11-15" in body:
        return (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
                "<RequestID>fault</RequestID></Response>").encode(), "text/xml"
    if body.startswith(b"Action=") or b"&Action=" in body:
        return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>fault</RequestId></ErrorResponse>").encode(), "text/xml"
    return (f"<Error><Code>{'SlowDown' if code == 'Throttling' else code}</Code><Message>{message}</Message>"
            "<RequestId>fault</RequestId></Error>").encode(), "application/xml"


class FaultyProxy:
    """Forward to ``upstream`` (an ``http://host:port`` URL), failing each call with probability ``fail_rate``
    and delaying each by ``latency`` seconds (a real region's round trip, for benchmarks)."""

    def __init__(self, upstream: str, fail_rate: float = 0.15, seed: int = 1, latency: float = 0.0):
        self.upstream = urlsplit(upstream)
        self.fail_rate = fail_rate
        self.latency = latency
        self.random = random.Random(seed)
        self.passed = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def endpoint_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _should_fail(self) -> tuple[int, str, str] | None:
        with self._lock:
            if self.random.random() < self.fail_rate:
                self.failed += 1
                return self.random.choice(_FAILURES)
            self.passed += 1
            return None

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.latency:
                    time.sleep(proxy.latency)
                failure = proxy._should_fail()
                if failure is not None:
                    status, code, message = failure
                    payload, content_type = error_body(self.headers, body, code, message)
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                head = self.command == "HEAD"
                for key, value in resp.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection") and (head or key.lower() != "content-length"):
                        self.send_header(key, value)
                if not head:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not head:
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultyProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
