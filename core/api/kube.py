"""Kubernetes core types that the kops spec embeds (tolerations, affinity, container environment)."""

from typing import Any

from .base import KopsModel

# Node/pod affinity is passed through to the add-on's pod spec untouched; kops never reads inside it.
Affinity = dict[str, Any]


class Toleration(KopsModel):
    """Lets an add-on's pods run on nodes with a matching taint."""

    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    tolerationSeconds: int | None = None


class ContainerEnvVar(KopsModel):
    """An environment variable of a control-plane container; ``valueFrom`` is passed through as written."""

    name: str
    value: str | None = None
    valueFrom: dict[str, Any] | None = None
