"""A small container registry on 127.0.0.1 for tests: the OCI distribution API as registries answer it.

Manifests by tag and by digest (``GET``/``HEAD``/``PUT``, served with their media type and
``Docker-Content-Digest``), blobs (``GET``/``HEAD``), monolithic uploads (``POST .../blobs/uploads/`` then ``PUT
<location>?digest=``, refused when the bytes are not the digest), errors in the registry's JSON form. With
``token`` set it demands a bearer token, as Docker Hub and registry.k8s.io do: a 401 naming its realm, where the
token is handed out. It records every request (:attr:`FakeRegistry.requests`).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
import uuid
from typing import Any


class FakeRegistry:
    def __init__(self, token: str | None = None):
        self.token = token
        self.manifests: dict[tuple[str, str], tuple[str, bytes]] = {}
        self.blobs: dict[str, bytes] = {}
        self.uploads: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's names
                registry._serve(self, "GET")

            def do_HEAD(self) -> None:  # noqa: N802
                registry._serve(self, "HEAD")

            def do_PUT(self) -> None:  # noqa: N802
                registry._serve(self, "PUT")

            def do_POST(self) -> None:  # noqa: N802
                registry._serve(self, "POST")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def push_blob(self, data: bytes) -> dict[str, Any]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return {"mediaType": "application/octet-stream", "digest": digest, "size": len(data)}

    def push_manifest(self, repository: str, tag: str, media_type: str, document: dict[str, Any]) -> str:
        data = json.dumps(document).encode()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        for name in (tag, digest):
            self.manifests[(repository, name)] = (media_type, data)
        return digest

    def _serve(self, handler: http.server.BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        query = handler.path.split("?", 1)[1] if "?" in handler.path else ""
        self.requests.append((method, handler.path))
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0)) if method in ("PUT", "POST") else b""
        if path == "/token":
            return self._answer(handler, 200, json.dumps({"token": self.token}).encode(), "application/json")
        if self.token and handler.headers.get("Authorization") != f"Bearer {self.token}":
            return self._answer(handler, 401, _error("UNAUTHORIZED", "authentication required"), "application/json",
                                {"WWW-Authenticate": f'Bearer realm="http://{self.host}/token",service="fake"'})
        if path == "/v2/":
            return self._answer(handler, 200, b"{}", "application/json")
        found = re.fullmatch(r"/v2/(.+)/(manifests|blobs)/([^/]+)", path)
        upload = re.fullmatch(r"/v2/(.+)/blobs/uploads/([^/]*)", path)
        if upload and method == "POST":
            session = uuid.uuid4().hex
            self.uploads[session] = upload[1]
            return self._answer(handler, 202, b"", "text/plain", {"Location": f"/v2/{upload[1]}/blobs/uploads/{session}"})
        if upload and method == "PUT":
            digest = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("digest", "").replace("%3A", ":")
            if upload[2] not in self.uploads:
                return self._answer(handler, 404, _error("BLOB_UPLOAD_UNKNOWN", "no such upload"), "application/json")
            if "sha256:" + hashlib.sha256(body).hexdigest() != digest:
                return self._answer(handler, 400, _error("DIGEST_INVALID", "digest did not match"), "application/json")
            self.blobs[digest] = body
            return self._answer(handler, 201, b"", "text/plain", {"Docker-Content-Digest": digest})
        if not found:
            return self._answer(handler, 404, _error("NAME_UNKNOWN", "not found"), "application/json")
        repository, kind, name = found[1], found[2], found[3]
        if kind == "manifests" and method == "PUT":
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
            for key in (name, digest):
                self.manifests[(repository, key)] = (handler.headers.get("Content-Type", ""), body)
            return self._answer(handler, 201, b"", "text/plain", {"Docker-Content-Digest": digest})
        if kind == "manifests" and (repository, name) in self.manifests:
            media_type, data = self.manifests[(repository, name)]
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            return self._answer(handler, 200, data, media_type, {"Docker-Content-Digest": digest}, method == "HEAD")
        if kind == "blobs" and name in self.blobs:
            return self._answer(handler, 200, self.blobs[name], "application/octet-stream", {}, method == "HEAD")
        code = "MANIFEST_UNKNOWN" if kind == "manifests" else "BLOB_UNKNOWN"
        return self._answer(handler, 404, _error(code, f"{name} not found"), "application/json")

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, kind: str,
                headers: dict[str, str] | None = None, head: bool = False) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        if not head:
            handler.wfile.write(body)


def _error(code: str, message: str) -> bytes:
    return json.dumps({"errors": [{"code": code, "message": message}]}).encode()
