"""Operating a running cluster (day 2): validating it, draining nodes, rolling updates. Cloud-neutral: the cloud is
reached through the driver's typed contract (:meth:`kops.cloud.CloudProvider.cloud_groups`), the cluster through
the official Kubernetes client."""
