"""Test doubles shipped with kops for its own tests and for plugins' tests: see :mod:`kops.testing.kube_api`."""
