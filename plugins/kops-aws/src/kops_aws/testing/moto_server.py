"""Run moto's AWS emulator in this process on 127.0.0.1 and a free port, and point boto3 at it.

Everything talks to it over real HTTP, exactly as it would talk to AWS; only the endpoint differs
(``AWS_ENDPOINT_URL``, which boto3 honours by itself). Used by the kops-aws tests and by demos::

    with MotoServer() as server:
        os.environ.update(server.environ())
        ...

The server handles one request at a time. Real S3 evaluates ``If-Match``/``If-None-Match`` atomically with
the write; moto checks the condition and stores the object in separate steps without a lock, so concurrent
conditional PUTs can both pass (eight threads racing to create one key with ``If-None-Match: *`` produced
two winners a few times in a hundred, and the odd 500 from a shared buffer). Serialising requests restores
S3's behaviour, which the state store's tests depend on.
"""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

#: Credentials moto accepts; they never leave the machine.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class MotoServer:
    """moto's server on a background thread; a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", region: str = "us-east-1"):
        self.host = host
        self.region = region
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the moto server is not running; call start() first")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> str:
        """Start serving; returns the endpoint URL."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # one line per request drowns test and demo output; errors are still logged

        app = _one_at_a_time(DomainDispatcherApplication(create_backend_app))
        # Port 0: the OS picks a free port, so parallel test runs never collide.
        self._server = make_server(self.host, 0, app, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-server", daemon=True)
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def reset(self) -> None:
        """Forget every resource created so far (buckets, objects, ...)."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def environ(self) -> dict[str, str]:
        """Environment that sends boto3 (in this or any child process) to this server with fake credentials.

        Shared config and credential files are switched off, so a developer's real AWS profile is never used.
        """
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            **FAKE_CREDENTIALS,
        }

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _one_at_a_time(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    """Wrap a WSGI app so requests run strictly one after another (see the module docstring)."""
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serve
