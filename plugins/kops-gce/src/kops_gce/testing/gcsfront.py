"""A loopback front for fake-gcs-server that answers the generation preconditions fake-gcs-server 1.54 ignores:
those of deletes (it deletes the live object whatever ``ifGenerationMatch`` says) and of resumable uploads (which
google-cloud-storage uses for objects over 8 MiB), where Cloud Storage answers 412. The state store depends on
that 412: a lease taken over by someone else must not be deleted by its former holder, and a large object must
be written on the same conditions as a small one.

Every request is passed on unchanged, and every answer back. Requests that change objects (POST, PUT, PATCH,
DELETE) pass one at a time, so checking the object's generation and changing it are one step with respect to every
other write, as they are in Cloud Storage. Reads pass freely. Only ``ifGenerationMatch`` and
``ifGenerationNotMatch`` are answered here; single-request uploads' preconditions fake-gcs-server answers itself.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

_OBJECT = re.compile(r"^/storage/v1/b/[^/]+/o/[^/].*$")
_UPLOAD = re.compile(r"^/upload/storage/v1/b/([^/]+)/o$")
_CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
# Cloud Storage's answer when a precondition does not hold.
_NOT_MET = json.dumps({"error": {"code": 412, "message": "At least one of the pre-conditions you specified did not hold.",
                                 "errors": [{"domain": "global", "reason": "conditionNotMet",
                                             "message": "At least one of the pre-conditions you specified did not "
                                                        "hold.", "locationType": "header", "location": "If-Match"}]}
                       }).encode()
_JSON = ("Content-Type", "application/json; charset=utf-8")
# Hop-by-hop headers, which describe one connection rather than the message.
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
        "content-length"}


class PreconditionFront:
    """Listens on a free port of 127.0.0.1 from the start; :meth:`start` passes requests to fake-gcs-server."""

    def __init__(self) -> None:
        self.backend = ("127.0.0.1", 0)
        self.writes = threading.Lock()
        #: Resumable uploads begun with preconditions: upload id -> (object's metadata path, ifGenerationMatch,
        #: ifGenerationNotMatch), as parse_qs gives them.
        self.uploads: dict[str, tuple[str, list[str] | None, list[str] | None]] = {}
        front = self

        class Handler(_Handler):
            owner = front

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="gcs-front", daemon=True)

    def start(self, backend: tuple[str, int]) -> None:
        """Serve, passing requests to the fake-gcs-server at ``backend`` (host, port)."""
        self.backend = backend
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join(timeout=10)
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away with its connection kept open (a process that exits) is no error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: PreconditionFront
    protocol_version = "HTTP/1.1"  # keep the client's connections open, as Cloud Storage does
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms wait for a delayed ACK

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: fake-gcs-server keeps the log."""

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        body = self._body()
        try:
            if self.command not in _CHANGES:
                self._reply(*self._forward(self.command, self.path, body))
                return
            with self.owner.writes:
                if not self._preconditions_hold():
                    self._reply(412, [_JSON], _NOT_MET)
                    return
                answer = self._forward(self.command, self.path, body)
                self._track_upload(body, answer)
                self._reply(*answer)
        except (OSError, http.client.HTTPException) as exc:  # not up yet, or gone: a gateway's answer
            self._reply(502, [("Content-Type", "text/plain")], f"fake-gcs-server: {exc}".encode())

    def _preconditions_hold(self) -> bool:
        """For a delete, or a request that carries a resumable upload on: whether the object's generation is as the
        delete, or the request that began the upload, asked."""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if self.command == "DELETE" and _OBJECT.match(parts.path):
            target, match, not_match = parts.path, query.get("ifGenerationMatch"), query.get("ifGenerationNotMatch")
        elif "upload_id" in query and query["upload_id"][0] in self.owner.uploads:
            target, match, not_match = self.owner.uploads[query["upload_id"][0]]
        else:
            return True
        if not (match or not_match):
            return True
        status, _, data = self._forward("GET", target, b"")
        if status == 404 and self.command == "DELETE":
            return True  # fake-gcs-server answers with 404, as Cloud Storage does
        generation = str(json.loads(data).get("generation", "")) if status == 200 else "0"  # 0: no object
        if match and match[0] != generation:
            return False
        return not (not_match and not_match[0] == generation)

    def _track_upload(self, body: bytes, answer: tuple[int, list[tuple[str, str]], bytes]) -> None:
        """Keep the preconditions a resumable upload began with, for the requests that carry it on, until one of
        them finishes it."""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if "upload_id" in query and answer[0] in (200, 201):
            self.owner.uploads.pop(query["upload_id"][0], None)
        upload = _UPLOAD.match(parts.path)
        if self.command != "POST" or not upload or query.get("uploadType") != ["resumable"] or answer[0] != 200:
            return
        match, not_match = query.get("ifGenerationMatch"), query.get("ifGenerationNotMatch")
        location = dict((k.lower(), v) for k, v in answer[1]).get("location", "")
        upload_id = parse_qs(urlsplit(location).query).get("upload_id")
        name = query.get("name") or [json.loads(body or b"{}").get("name", "")]
        if upload_id and (match or not_match):
            target = f"/storage/v1/b/{upload[1]}/o/{quote(name[0], safe='')}"
            self.owner.uploads[upload_id[0]] = (target, match, not_match)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _forward(self, method: str, path: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Pass one request on, over a connection of its own (on loopback that costs nothing, and a connection
        fake-gcs-server dropped meanwhile can never take a request down with it)."""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        headers["Content-Length"] = str(len(body))
        backend = http.client.HTTPConnection(*self.owner.backend, timeout=60)
        try:
            backend.request(method, path, body=body, headers=headers)
            response = backend.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            backend.close()

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP | {"date", "server"}:  # send_response wrote its own
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
