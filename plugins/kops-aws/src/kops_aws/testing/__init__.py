"""Helpers for testing and demonstrating kops against a local AWS emulator (needs ``kops-aws[testing]``)."""
