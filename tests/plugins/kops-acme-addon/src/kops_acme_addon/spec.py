"""``spec.acmeAuditAgent``: the settings ACME's audit agent takes from the Cluster spec.

Its own module so that importing the plugin stays cheap: kops imports this (and with it the API models)
only when a spec carries the section or the JSON Schema is exported.
"""

from __future__ import annotations

from typing import Literal

from kops.api import KopsModel
from pydantic import field_validator


class AcmeAuditAgentSpec(KopsModel):
    """Whether the audit agent runs on the cluster, and where it sends what it records.

    Every field defaults to None, so ``kops get -o yaml`` gives back exactly what the user wrote; the
    plugin's inference rule fills the empty ones in the completed spec.
    """

    #: The agent is installed while this is true and removed at the next update once it is not.
    enabled: bool | None = None
    #: Where the agent ships audit records; must be https://, since the records leave the cluster.
    endpoint: str | None = None
    logLevel: Literal["debug", "info", "warning", "error"] | None = None

    @field_validator("endpoint")
    @classmethod
    def _https_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError(f"must be an https:// URL, got {value!r}")
        return value
