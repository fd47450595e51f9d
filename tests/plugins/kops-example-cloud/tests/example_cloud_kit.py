"""What the example cloud's tests share besides fixtures."""

from __future__ import annotations

from typing import Any


def ok(result: Any) -> Any:
    """A ``kops`` run that must have succeeded; a failure fails the test with the command and its error."""
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stderr}"
    return result
