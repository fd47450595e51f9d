"""Compute Engine's rules for names and labels, with the messages it answers when they are broken."""

from __future__ import annotations

import re
from typing import Any

from kops_gce.testing.fakegce.errors import ApiError, invalid, invalid_field

NAME_PATTERN = "[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"
_NAME = re.compile(NAME_PATTERN)
# Path parameters may also be a resource's numeric ID.
_PATH_NAME = re.compile(f"{NAME_PATTERN}|[1-9][0-9]{{0,19}}")
_LABEL_KEY = re.compile(r"[a-z\u00c0-\uffff][a-z0-9_\-\u00c0-\uffff]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_\-\u00c0-\uffff]{0,63}")
MAX_LABELS = 64


def check_name(name: Any, field: str = "resource.name") -> str:
    """The resource name in a request body, or the 400 the real API answers for a missing or bad one."""
    if not name:
        raise ApiError(400, "required", f"Required field '{field}' not specified")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise invalid_field(field, name, f"Must be a match of regex '(?:{NAME_PATTERN})'")
    return name


def check_path_name(name: str) -> None:
    """A name (or numeric ID) in a request's path; anything else is a 400 before any lookup."""
    if not _PATH_NAME.fullmatch(name):
        raise invalid(f"Invalid value '{name}'. Values must match the following regular expression: "
                      f"'{NAME_PATTERN}|[1-9][0-9]{{0,19}}'", reason="invalidParameter")


def check_labels(labels: Any, field: str = "resource.labels") -> dict[str, str]:
    """Labels as Compute accepts them: keys start with a lowercase letter; keys and values are at most 63
    lowercase letters, digits, underscores or dashes (international characters allowed); 64 labels at most."""
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise invalid_field(field, labels, "Labels must be a map of strings.")
    if len(labels) > MAX_LABELS:
        raise invalid_field(field, "", f"Resource cannot have more than {MAX_LABELS} labels.")
    for key, value in labels.items():
        if not _LABEL_KEY.fullmatch(key):
            raise invalid_field(field, "", f"Label key '{key}' violates format constraints. The key must start "
                                "with a lowercase character, can only contain lowercase letters, numeric "
                                "characters, underscores and dashes. The key can be at most 63 characters long. "
                                "International characters are allowed.")
        if not isinstance(value, str) or not _LABEL_VALUE.fullmatch(value):
            raise invalid_field(field, "", f"Label value '{value}' violates format constraints. The value can "
                                "only contain lowercase letters, numeric characters, underscores and dashes. "
                                "The value can be at most 63 characters long. International characters are "
                                "allowed.")
    return dict(labels)
