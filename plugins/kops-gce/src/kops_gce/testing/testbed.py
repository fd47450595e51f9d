"""The GCE testbed: the Compute/IAM/Resource Manager/Cloud DNS fake and fake-gcs-server on loopback, one project
and a state-store bucket (``python -m kops.testing.testbed gce``).

The environment it returns is the Google tools' own: gcloud's endpoint overrides and project, google-auth's
switch that keeps it from probing for a metadata server, and google-cloud-storage's emulator host; clients made
with :func:`kops_gce.clients.compute_client` follow them. The fake's own settings
(``KOPS_FAKE_GCE_FAIL_RATE`` for injected 503/429 answers, ``KOPS_FAKE_GCE_OPERATION_POLLS``) are read from the
environment the testbed starts in; see :mod:`kops_gce.testing.fakegce.server`.
"""

from __future__ import annotations

from kops.testing.testbed import Testbed

#: The project the fake holds.
PROJECT = "kops-testbed"
#: The state store's bucket in fake-gcs-server.
BUCKET = "kops-state"


class GCETestbed(Testbed):
    def __init__(self, workdir):
        super().__init__(workdir)
        self.fake = None
        self.gcs = None

    def start(self) -> dict[str, str]:
        from kops_gce.testing.fakegce import FakeGCE
        from kops_gce.testing.gcs import FakeGCSServer

        self.fake = FakeGCE([PROJECT]).start()
        self.gcs = FakeGCSServer(self.workdir / "gcs")
        storage = self.gcs.start()
        self.gcs.create_bucket(BUCKET, PROJECT)
        api = self.fake.url
        return {
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE": f"{api}/compute/v1/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM": f"{api}/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER": f"{api}/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS": f"{api}/dns/v1/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE": f"{storage}/storage/v1/",
            "CLOUDSDK_AUTH_DISABLE_CREDENTIALS": "true",
            "CLOUDSDK_CORE_PROJECT": PROJECT,
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "STORAGE_EMULATOR_HOST": storage,
            "NO_GCE_CHECK": "true",
            "KOPS_STATE_STORE": f"gs://{BUCKET}",
        }

    def stop(self) -> None:
        if self.gcs is not None:
            self.gcs.stop()
            self.gcs = None
        if self.fake is not None:
            self.fake.stop()
            self.fake = None

    def demo_flags(self, env: dict[str, str]) -> list[str]:
        return ["--zones", "us-central1-a", "--project", PROJECT, "--networking", "calico"]
