"""An HTTP fake of Google Compute Engine's REST API (``compute/v1``), with the IAM service-accounts API, the
project IAM policy (Resource Manager) and Cloud DNS managed zones, for tests: there is no Compute Engine
emulator. It answers as the real API does (resource shapes, operations, errors and their reasons), so a cloud
model written against it with ``google-cloud-compute`` works against Google.

Start one in-process with :class:`kops_gce.testing.fakegce.server.FakeGCE`. ``KOPS_FAKE_GCE_FAIL_RATE`` (a share
of calls, e.g. ``0.15``) makes that share of calls answer 503 backendError or 429 rateLimitExceeded, as Google
does under load, before they take effect.
"""

from kops_gce.testing.fakegce.server import FakeGCE

__all__ = ["FakeGCE"]
