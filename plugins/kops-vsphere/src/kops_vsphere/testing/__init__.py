"""Helpers for testing kops against a local vCenter: govmomi's simulator, built from Debian's packages."""
