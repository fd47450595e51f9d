"""The OpenStack plugin in the shared cloud fixtures (:mod:`kops.testing.cloud`): ``kops`` on a fresh machine and
``dry_run`` of ``kops create cluster --cloud openstack``. Helpers to read what kops prints are in
:mod:`kops.testing.cli`."""

from __future__ import annotations

import pytest
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures, found by pytest by name
from kops.testing.cloud import CloudCase


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """The ``nova`` availability zone, on the openstack testbed."""
    return CloudCase(cloud="openstack", zones="nova", testbed="openstack")
