"""Helpers for the OpenStack plugin's tests: reading what ``kops`` prints."""

from __future__ import annotations

from typing import Any

from kops.testing import upstream

#: Upstream kOps's fixtures (KOPS_FIXTURES; see kops.testing.upstream), when this machine has them.
FIXTURES = upstream.root()


def groups(docs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The instance groups' specs, by group name."""
    return {key.split("/", 1)[1]: doc["spec"] for key, doc in docs.items() if key.startswith("InstanceGroup/")}


def one_line_error(result: Any) -> str:
    """The error of a failed command, checked to be one line with no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
