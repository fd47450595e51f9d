"""The fake DigitalOcean API's HTTP server: a threaded standard-library server on 127.0.0.1 and a free port
that answers ``/v2/`` as the real API does (bearer-token auth, rate-limit headers, JSON errors), and
``/fake-api/`` with what only a test needs (user data the API never shows, a reset).

Point ``python-digitalocean`` at it with ``DIGITALOCEAN_ACCESS_TOKEN`` and ``DIGITALOCEAN_END_POINT`` (see
:meth:`FakeDigitalOcean.environ`); the end point ends in ``/v2/`` because the library joins relative paths
(``droplets/``) onto it with ``urljoin``, which drops a last segment that has no slash after it.

Environment variables, read when the fake is made (a constructor argument wins):

``KOPS_FAKE_DO_FAIL_RATE``
    The share of ``/v2/`` calls (0 to 1) answered with a transient error instead: 429 ``too_many_requests``,
    500 ``server_error`` or 503 ``service_unavailable``, chosen at random, before the call takes effect.
    For fault tests: clients must retry. Default 0.
``KOPS_FAKE_DO_FAIL_SEED``
    The seed of those choices, so a failing run can be repeated. Default 1.
``KOPS_FAKE_DO_SETTLE_READS``, ``KOPS_FAKE_DO_SETTLE_SECONDS``
    A new Droplet, load balancer, firewall or action stays in progress (``new``, ``waiting``,
    ``in-progress``) until this many reads of it, or this many seconds, whichever comes first. Defaults
    1 and 3: the create answer says ``new``, the next read ``active``.
``KOPS_FAKE_DO_RATE_LIMIT``
    Requests per hour before the API answers 429, as ``ratelimit-limit`` shows. Default 5000 (the real
    API's limit).
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from kops_digitalocean.testing.do_api import (
    account_info,
    domains,
    droplet_actions,
    droplets,
    firewalls,
    load_balancers,
    ssh_keys,
    tags,
    volumes,
    vpcs,
)
from kops_digitalocean.testing.do_api.account import Account
from kops_digitalocean.testing.do_api.errors import (
    RATE_LIMITED_MESSAGE,
    UNAUTHORIZED_MESSAGE,
    ApiError,
    bad_request,
    not_found,
)
from kops_digitalocean.testing.do_api.messages import Reply, Request

_MODULES = (account_info, droplets, droplet_actions, volumes, load_balancers, vpcs, domains, ssh_keys, tags,
            firewalls)
ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = [
    (method, re.compile(pattern), handler) for module in _MODULES for method, pattern, handler in module.ROUTES]

#: The transient answers fault injection chooses from.
_FAULTS = [(429, "too_many_requests", RATE_LIMITED_MESSAGE),
           (500, "server_error", "Unexpected server-side error"),
           (503, "service_unavailable", "The service is temporarily unavailable. Please try again later.")]
_WINDOW = 3600.0


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    return float(text) if text else default


class _RateLimit:
    """The hourly request budget behind the ``ratelimit-*`` headers."""

    def __init__(self, limit: int):
        self.limit = limit
        self.started = time.time()
        self.used = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[bool, dict[str, str]]:
        """Count one request; whether it is within the budget, and the headers to answer with."""
        with self.lock:
            if time.time() - self.started >= _WINDOW:
                self.started, self.used = time.time(), 0
            allowed = self.used < self.limit
            if allowed:
                self.used += 1
            headers = {"ratelimit-limit": str(self.limit), "ratelimit-remaining": str(self.limit - self.used),
                       "ratelimit-reset": str(int(self.started + _WINDOW))}
            if not allowed:
                headers["retry-after"] = str(max(int(self.started + _WINDOW - time.time()), 1))
            return allowed, headers


class FakeDigitalOcean:
    """The fake API on a background thread; a context manager, or call :meth:`start` and :meth:`stop`.

    ``account`` is its state, which tests may read (and set up) directly under ``account.lock``.
    """

    def __init__(self, token: str | None = None, *, fail_rate: float | None = None, seed: int | None = None,
                 settle_reads: int | None = None, settle_seconds: float | None = None,
                 rate_limit: int | None = None):
        self.token = token or secrets.token_hex(32)
        self.fail_rate = fail_rate if fail_rate is not None else _env_number("KOPS_FAKE_DO_FAIL_RATE", 0.0)
        self.random = random.Random(seed if seed is not None else int(_env_number("KOPS_FAKE_DO_FAIL_SEED", 1)))
        self.settle_reads = settle_reads if settle_reads is not None else \
            int(_env_number("KOPS_FAKE_DO_SETTLE_READS", 1))
        self.settle_seconds = settle_seconds if settle_seconds is not None else \
            _env_number("KOPS_FAKE_DO_SETTLE_SECONDS", 3.0)
        self.rate_limit = _RateLimit(rate_limit if rate_limit is not None else
                                     int(_env_number("KOPS_FAKE_DO_RATE_LIMIT", 5000)))
        self.account = self._new_account()
        #: Calls answered by the API, and calls failed on purpose (``fail_rate``).
        self.served = 0
        self.failed = 0
        self._counting = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _new_account(self) -> Account:
        return Account(settle_reads=self.settle_reads, settle_seconds=self.settle_seconds)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v2/``: the value for ``DIGITALOCEAN_END_POINT``."""
        if self._server is None:
            raise RuntimeError("the fake DigitalOcean API is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v2/"

    def environ(self) -> dict[str, str]:
        """What points ``python-digitalocean`` (in this or a child process) at the fake."""
        return {"DIGITALOCEAN_ACCESS_TOKEN": self.token, "DIGITALOCEAN_END_POINT": self.base_url}

    def start(self) -> str:
        """Start serving; returns the base URL."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for the loop's next poll, and tests stop a fake each.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-digitalocean", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def reset(self) -> None:
        """Forget every resource created so far."""
        with self.account.lock:
            self.account = self._new_account()

    def __enter__(self) -> FakeDigitalOcean:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering ---------------------------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Any, raw: bytes) -> Reply:
        """The reply to one HTTP request."""
        split = urlsplit(target)
        if split.path.startswith("/fake-api/"):
            return self._fake_api(method, split.path[len("/fake-api/"):].strip("/"))
        if not (split.path + "/").startswith("/v2/"):
            return Reply(404, {"id": "not_found", "message": "The resource you were accessing could not be found."})
        allowed, limit_headers = self.rate_limit.take()
        reply = self._v2(method, split.path[len("/v2"):].strip("/"), split.query, headers, raw, allowed)
        reply.headers.update(limit_headers)
        return reply

    def _v2(self, method: str, path: str, query: str, headers: Any, raw: bytes, allowed: bool) -> Reply:
        try:
            if headers.get("Authorization", "") != f"Bearer {self.token}":
                raise ApiError(401, "unauthorized", UNAUTHORIZED_MESSAGE)
            if not allowed:
                raise ApiError(429, "too_many_requests", RATE_LIMITED_MESSAGE)
            fault = self._fault()
            if fault is not None:
                raise ApiError(*fault)
            handler, groups = _route(method, path)
            req = Request(method=method, path=path, query=dict(parse_qsl(query)), body=_body(raw),
                          base_url=f"http://{headers.get('Host', '127.0.0.1')}/v2/")
            with self.account.lock:
                reply = handler(self.account, req, **groups)
            with self._counting:
                self.served += 1
            return Reply(reply.status, reply.body, dict(reply.headers))
        except ApiError as err:
            return Reply(err.status, {"id": err.error_id, "message": err.message, "request_id": str(uuid.uuid4())})
        except Exception:  # a fault of the fake itself: answer as the real API's 500, and show it
            traceback.print_exc(file=sys.stderr)
            return Reply(500, {"id": "server_error", "message": "Unexpected server-side error",
                               "request_id": str(uuid.uuid4())})

    def _fault(self) -> tuple[int, str, str] | None:
        """The transient error this call gets instead of an answer, if ``fail_rate`` picks it."""
        with self._counting:
            if self.fail_rate and self.random.random() < self.fail_rate:
                self.failed += 1
                return self.random.choice(_FAULTS)
        return None

    def _fake_api(self, method: str, path: str) -> Reply:
        """``POST /fake-api/reset``; ``GET /fake-api/droplets/{id}/user_data`` (``{"user_data": ...}``)."""
        if method == "POST" and path == "reset":
            self.reset()
            return Reply(204)
        found = re.fullmatch(r"droplets/([^/]+)/user_data", path)
        if method == "GET" and found:
            with self.account.lock:
                try:
                    return Reply(200, {"user_data": droplets.user_data(self.account, found.group(1))})
                except ApiError as err:
                    return Reply(err.status, {"id": err.error_id, "message": err.message})
        return Reply(404, {"id": "not_found", "message": "The resource you were accessing could not be found."})


def _route(method: str, path: str) -> tuple[Callable[..., Reply], dict[str, str]]:
    for route_method, pattern, handler in ROUTES:
        found = pattern.fullmatch(path)
        if found and route_method == method:
            return handler, {k: unquote(v) for k, v in found.groupdict().items()}
    raise not_found()


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("The request body could not be parsed as JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def _handler_class(fake: FakeDigitalOcean) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass  # a line per request drowns test output; faults of the fake go to stderr

        def _handle(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            reply = fake.answer(self.command, self.path, self.headers, raw)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("x-request-id", str(uuid.uuid4()))
            if reply.status == 204:
                self.end_headers()
                return
            payload = json.dumps(reply.body).encode()
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler
