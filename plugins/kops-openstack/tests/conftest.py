"""The OpenStack plugin in the shared cloud fixtures (:mod:`kops.testing.cloud`): ``kops`` on a fresh machine,
``dry_run`` of ``kops create cluster --cloud openstack``, and the shared lifecycle on the openstack testbed (real
services, started once per test run when ``KOPS_TESTBEDS`` names openstack). Helpers to read what kops prints are
in :mod:`kops.testing.cli`."""

from __future__ import annotations

import pytest
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures, found by pytest by name
from kops.testing.cloud import CloudCase
from kops_openstack.testing import seed
from kops_openstack.testing.leftovers import leftovers


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """An HA cluster over the testbed's two zones: three control-plane servers behind an Octavia API load balancer
    and two nodes, with a router to the external network and floating IPs (public subnets)."""
    return CloudCase(cloud="openstack", zones="zone-1,zone-2", testbed="openstack", leftovers=leftovers,
                     create_flags=("--control-plane-count", "3", "--node-count", "2", "--network-cidr", "10.0.0.0/16",
                                   "--image", seed.IMAGE, "--control-plane-size", seed.FLAVOR, "--node-size",
                                   seed.FLAVOR, "--os-ext-net", seed.EXTERNAL_NETWORK, "--networking", "calico",
                                   "--api-loadbalancer-type", "public", "--os-octavia"))
