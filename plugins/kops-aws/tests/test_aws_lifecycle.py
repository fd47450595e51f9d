"""The shared cloud lifecycle (kops.testing.cloud) on AWS's testbed: create, plan, apply, an empty re-plan,
instances, delete leaving nothing."""

from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected by pytest
