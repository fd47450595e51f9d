"""The shared cloud lifecycle (kops.testing.cloud) on the DigitalOcean testbed: create, plan, apply, an empty
re-plan, instances, delete leaving nothing tagged for or named after the cluster."""

from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected by pytest
