"""Errors a user is meant to read: the CLI prints them on one line and exits 1, with no traceback."""

from __future__ import annotations


class KopsError(Exception):
    """An error caused by input or circumstances the user can act on.

    The message must name what is wrong (a field path, a flag, a resource) and why.
    """


class FieldError(KopsError):
    """Invalid input at a field path such as ``spec.subnets[0].cidr``."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason
