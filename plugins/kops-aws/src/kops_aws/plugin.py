"""The AWS plugin's hook implementations. Kept import-light: it is loaded whenever the CLI starts."""

from __future__ import annotations
