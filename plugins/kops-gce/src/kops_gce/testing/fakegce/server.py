"""The fake's HTTP server: one threaded standard-library server on 127.0.0.1 and a free port serving, under
the paths Google's clients use,

- ``/compute/v1/projects/P/...``: Compute Engine (:mod:`.compute`),
- ``/v1/projects/P/serviceAccounts...``: IAM service accounts (:mod:`.iam`),
- ``/v1/projects/P``, ``/v1/projects/P:getIamPolicy``, ``:setIamPolicy`` (and ``/v3/...``): Resource Manager,
- ``/dns/v1/projects/P/...``: Cloud DNS (:mod:`.dns`).

Settings, from the environment when the server is made (or the constructor's arguments):

- ``KOPS_FAKE_GCE_FAIL_RATE``: the share of calls (0 to 1) answered, before they take effect, with a 503
  ``backendError`` or a 429 ``rateLimitExceeded`` (half each), as Google answers under load: for fault tests.
  ``KOPS_FAKE_GCE_FAIL_SEED`` makes the choice repeatable.
- ``KOPS_FAKE_GCE_OPERATION_POLLS``: how many polls an operation answers ``RUNNING`` before ``DONE``
  (default 0: operations come back done, as small ones often do).
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kops_gce.testing.fakegce import catalog, groups, instances, loadbalancing, networking
from kops_gce.testing.fakegce.compute import Compute
from kops_gce.testing.fakegce.dns import DNS
from kops_gce.testing.fakegce.errors import ApiError, rate_limited, unavailable
from kops_gce.testing.fakegce.iam import IAM
from kops_gce.testing.fakegce.store import Ref, State

FAIL_RATE_VARIABLE = "KOPS_FAKE_GCE_FAIL_RATE"
FAIL_SEED_VARIABLE = "KOPS_FAKE_GCE_FAIL_SEED"
OPERATION_POLLS_VARIABLE = "KOPS_FAKE_GCE_OPERATION_POLLS"


class FakeGCE:
    """The fake, seeded with ``projects`` (each with the default Compute service account) and the image
    projects holding the release channels' images. ``start()`` listens; ``url`` is then its address."""

    def __init__(self, projects: tuple[str, ...] | list[str] = ("kops-test",), fail_rate: float | None = None,
                 operation_polls: int | None = None):
        self.state = State()
        self.compute = Compute(self.state, [*networking.kinds(), *loadbalancing.kinds(), *instances.kinds(),
                                            *groups.kinds()])
        self.iam = IAM(self.state)
        self.dns = DNS(self.state)
        self.fail_rate = float(os.environ.get(FAIL_RATE_VARIABLE) or 0) if fail_rate is None else fail_rate
        seed = os.environ.get(FAIL_SEED_VARIABLE)
        self.random = random.Random(int(seed) if seed else None)
        self.state.operation_polls = int(os.environ.get(OPERATION_POLLS_VARIABLE) or 0) \
            if operation_polls is None else operation_polls
        self.projects = list(projects)
        for project in self.projects:
            self.state.add_project(project)
            self.iam.seed(project)
        self._seed_images()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _seed_images(self) -> None:
        images = self.compute.kinds["images"]
        for image in catalog.channel_images():
            self.state.add_project(image.project)
            ref = Ref(image.project, "global", "images", image.name)
            if self.state.find(ref) is None:
                res = {"family": image.family, "architecture": image.architecture, "_seeded": True,
                       "description": f"Canonical, {image.name}" if "ubuntu" in image.name else image.name}
                self.state.stamp(ref, res, images.kind)
                res["creationTimestamp"] = image.created
                images.prepare(self.compute, ref, res)
                self.state.put(ref, res)

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeGCE:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # A short poll interval: stopping waits for the next poll.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-gce", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGCE:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- dispatch ---

    def dispatch(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        segs = [s for s in path.split("/") if s]
        newer = segs[:1] in (["v1"], ["v3"]) and len(segs) >= 2 and segs[1].startswith("projects")
        if self.fail_rate and self.random.random() < self.fail_rate:
            fault = unavailable() if self.random.random() < 0.5 else rate_limited(segs[2] if len(segs) > 2 else "")
            return fault.code, fault.body(with_errors=not newer)
        try:
            if segs[:3] == ["compute", "v1", "projects"] and len(segs) >= 4:
                return 200, self.compute.handle(method, segs[3], segs[4:], query, body)
            if segs[:3] == ["dns", "v1", "projects"] and len(segs) >= 4:
                return 200, self.dns.handle(method, segs[3], segs[4:], query, body)
            if segs[:2] == ["v1", "projects"] and len(segs) >= 4 and segs[3] == "serviceAccounts":
                return 200, self.iam.service_accounts(method, segs[2], segs[4:], query, body)
            if newer and len(segs) == 3:
                return 200, self.iam.resource_manager(method, segs[0], segs[2], body)
            raise ApiError(404, "notFound", f"The fake serves no {method} {path}")
        except ApiError as exc:
            return exc.code, exc.body(with_errors=not newer)


def _handler(fake: FakeGCE) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw.strip() else {}
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError:
                error = ApiError(400, "parseError", "Invalid JSON payload received.")
                self._answer(400, error.body())
                return
            try:
                code, answer = fake.dispatch(self.command, url.path, query, body)
            except Exception as exc:  # a fault in the fake itself: say so, as a 500, and keep serving
                traceback.print_exc(file=sys.stderr)
                error = ApiError(500, "backendError", f"Internal error in the fake: {exc!r}")
                code, answer = 500, error.body()
            self._answer(code, answer)

        def _answer(self, code: int, answer: Any) -> None:
            data = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read answers, not access logs."""

    return Handler
