"""Manifest documents of kinds kops does not model, carried through untouched."""

import copy
from dataclasses import dataclass
from typing import Any


@dataclass
class AdditionalObject:
    """A document such as a ``KubeSchedulerConfiguration`` that travels with the cluster manifest.

    kops does not interpret it, so its content is kept exactly as written (``data`` is the parsed tree).
    """

    data: dict[str, Any]

    @property
    def apiVersion(self) -> str:
        return str(self.data.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def name(self) -> str:
        """``metadata.name``, or an empty string for objects (like component configs) that have none."""
        metadata = self.data.get("metadata")
        return str(metadata.get("name") or "") if isinstance(metadata, dict) else ""

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the content, so callers can't change this object through it."""
        return copy.deepcopy(self.data)

    def copy(self) -> "AdditionalObject":
        return AdditionalObject(copy.deepcopy(self.data))
