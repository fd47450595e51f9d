"""The GCE plugin in the shared cloud fixtures (:mod:`kops.testing.cloud`): ``kops`` on a fresh machine,
``dry_run`` of ``kops create cluster --cloud gce``, and the shared lifecycle on the testbed (the Compute fake and
a ``gs://`` state store in fake-gcs-server). Helpers to read what kops prints are in :mod:`kops.testing.cli`."""

from __future__ import annotations

import pytest
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures, found by pytest by name
from kops.testing.cloud import CloudCase
from kops_gce.testing.leftovers import leftovers

#: An HA control plane over three zones, private topology (a router with Cloud NAT).
HA_ZONES = "us-central1-a,us-central1-b,us-central1-c"


@pytest.fixture(scope="module")
def gcs_server(tmp_path_factory):
    """fake-gcs-server, started once per test module."""
    from kops_gce.testing.gcs import FakeGCSServer

    server = FakeGCSServer(tmp_path_factory.mktemp("gcs"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """A private HA cluster over three zones of the region the tests use, on the gce testbed."""
    return CloudCase(cloud="gce", zones=HA_ZONES, testbed="gce", leftovers=leftovers,
                     create_flags=("--control-plane-zones", HA_ZONES, "--topology", "private",
                                   "--networking", "calico"))
