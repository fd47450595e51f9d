"""The DigitalOcean testbed (``python -m kops.testing.testbed digitalocean``): the fake DigitalOcean API and
moto's S3 as Spaces, with a bucket for the state store.

Its environment: ``DIGITALOCEAN_ACCESS_TOKEN`` and ``DIGITALOCEAN_END_POINT`` (``http://127.0.0.1:PORT/v2/``,
as ``python-digitalocean`` reads them); ``S3_ENDPOINT``, ``S3_REGION``, ``S3_ACCESS_KEY_ID`` and
``S3_SECRET_ACCESS_KEY`` (upstream kOps's variables for Spaces; the endpoint is a full ``http://`` URL);
``KOPS_STATE_STORE=do://BUCKET``. Both start in well under a second.
"""

from __future__ import annotations

from kops.testing.testbed import Testbed

#: The state store's bucket in the Spaces stand-in.
BUCKET = "kops-spaces-state"


class DigitalOceanTestbed(Testbed):
    def __init__(self, workdir):
        super().__init__(workdir)
        self.api = None
        self.spaces = None

    def start(self) -> dict[str, str]:
        from kops_digitalocean.testing.do_api import FakeDigitalOcean
        from kops_digitalocean.testing.spaces import Spaces

        self.api = FakeDigitalOcean()
        self.api.start()
        self.spaces = Spaces()
        self.spaces.start()
        self.spaces.create_bucket(BUCKET)
        return {**self.api.environ(), **self.spaces.environ(), "KOPS_STATE_STORE": f"do://{BUCKET}"}

    def stop(self) -> None:
        for part in (self.spaces, self.api):
            if part is not None:
                part.stop()
        self.api = self.spaces = None

    def demo_flags(self, env: dict[str, str]) -> list[str]:
        return ["--zones", "nyc1", "--networking", "calico"]
