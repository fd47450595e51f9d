"""Stand-ins for Google Cloud that tests, the demo and users run kops against: a fake of the Compute Engine,
IAM, Resource Manager and Cloud DNS REST APIs (:mod:`kops_gce.testing.fakegce`), fake-gcs-server for Cloud
Storage, and the testbed that starts both (``python -m kops.testing.testbed gce``)."""
