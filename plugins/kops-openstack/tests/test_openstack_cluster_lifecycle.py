"""The shared lifecycle on the openstack testbed's real services, through the CLI: create, plan, apply, an empty
re-plan, every group's servers up to date, delete leaving nothing of the cluster."""

from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected here, run with this plugin's cloud_case
