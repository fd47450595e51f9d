"""The example cloud in the shared cloud tests (:mod:`kops.testing.cloud`), on its testbed."""

from __future__ import annotations

import pytest
from example_cloud_kit import ok
from kops.testing.cloud import *  # noqa: F403 - the shared cloud fixtures, found by pytest by name
from kops.testing.cloud import CloudCase
from kops_example_cloud.api import ENDPOINT_VARIABLE, ExampleAPI
from kops_example_cloud.labels import cluster_key
from kops_example_cloud.testing.cloudstate import SCHEMAS


def leftovers(env: dict[str, str], cluster_name: str) -> list[str]:
    """Everything the cloud holds that is labelled for the cluster or named after it, as ``<kind> <name>``."""
    api = ExampleAPI(env[ENDPOINT_VARIABLE])
    return sorted(f"{kind} {r['name']}" for kind in SCHEMAS for r in api.list(kind)
                  if cluster_key(cluster_name) in r["labels"] or cluster_name in r["name"])


@pytest.fixture(scope="session")
def cloud_case() -> CloudCase:
    """Two zones, a node group in each, on the example testbed."""
    return CloudCase(cloud="example", zones="zone-a,zone-b", testbed="example", leftovers=leftovers)


@pytest.fixture
def api(cloud_env: dict[str, str]) -> ExampleAPI:
    """The testbed's API, as the tests look at the cloud."""
    return ExampleAPI(cloud_env[ENDPOINT_VARIABLE])


@pytest.fixture
def applied(cloud_kops, cloud_case, cluster_name):
    """A cluster created and applied on the testbed; deleted afterwards, unless the test did."""
    ok(cloud_kops("create", "cluster", cluster_name, "--cloud", cloud_case.cloud, "--zones", cloud_case.zones,
                  *cloud_case.create_flags))
    ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    yield cluster_name
    if cloud_kops("get", "cluster", cluster_name).returncode == 0:
        ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
