"""The example cloud's testbed (``python -m kops.testing.testbed example``): its API on loopback and a ``file://``
state store in the testbed's folder. It starts at once, so tests use it without ``KOPS_TESTBEDS``.

Its environment: ``EXAMPLE_CLOUD_ENDPOINT`` (``http://127.0.0.1:PORT``) and ``KOPS_STATE_STORE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kops.testing.testbed import Testbed

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kops_example_cloud.testing.server import ExampleCloudServer


class ExampleTestbed(Testbed):
    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.server: ExampleCloudServer | None = None

    def start(self) -> dict[str, str]:
        from kops_example_cloud.testing.server import ExampleCloudServer

        self.server = ExampleCloudServer()
        self.server.start()
        return {**self.server.environ(), "KOPS_STATE_STORE": (self.workdir / "state").as_uri()}

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def demo_flags(self, env: dict[str, str]) -> list[str]:
        return ["--zones", "zone-a,zone-b", "--networking", "cni"]
