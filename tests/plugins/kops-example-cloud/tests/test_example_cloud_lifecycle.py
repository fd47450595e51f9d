"""The shared cloud lifecycle (kops.testing.cloud) on the example cloud: create, plan, apply, an empty re-plan,
instances, delete leaving nothing; with nothing but the plugin's own tasks, builders and listers."""

from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected by pytest
