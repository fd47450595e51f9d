"""The Spaces stand-in: moto's S3 served on 127.0.0.1 and a free port, with the variables upstream kOps reads
for Spaces (``S3_ENDPOINT``, ``S3_REGION``, ``S3_ACCESS_KEY_ID``, ``S3_SECRET_ACCESS_KEY``).

Requests are served one at a time: moto checks a conditional write (``If-None-Match``) and stores the
object in separate steps, so concurrent conditional writes could both pass, where Spaces, like S3, lets
only one. moto keeps its state per process, shared with any other moto server in the same process.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Callable, Iterable
from typing import Any

#: The region Spaces clients sign for; upstream kOps uses S3_REGION, or us-east-1 without it.
REGION = "us-east-1"


class Spaces:
    """moto's S3 on a background thread, with a generated Spaces key pair."""

    def __init__(self) -> None:
        alphabet = string.ascii_uppercase + string.digits
        self.access_key_id = "DO00" + "".join(secrets.choice(alphabet) for _ in range(16))
        self.secret_access_key = secrets.token_urlsafe(32)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Spaces stand-in is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # a line per request drowns test output; errors are still logged

        app = _one_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="spaces", daemon=True)
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

    def client(self) -> Any:
        """A boto3 S3 client for the stand-in, as a Spaces client is configured (path-style addressing)."""
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION,
                            aws_access_key_id=self.access_key_id, aws_secret_access_key=self.secret_access_key,
                            config=Config(s3={"addressing_style": "path"}))

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def environ(self) -> dict[str, str]:
        return {"S3_ENDPOINT": self.endpoint_url, "S3_REGION": REGION, "S3_ACCESS_KEY_ID": self.access_key_id,
                "S3_SECRET_ACCESS_KEY": self.secret_access_key}


def _one_at_a_time(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    """Wrap a WSGI app so requests run strictly one after another (see the module docstring)."""
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serve
