"""Object metadata and the API version every kops object carries."""

from typing import Any

from kops.manifests import API_VERSION, GROUP

from .base import KopsModel

__all__ = ["API_VERSION", "GROUP", "ObjectMeta", "OwnerReference"]


class OwnerReference(KopsModel):
    """Links an object to the object that owns it (set by controllers, kept on round trip)."""

    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    blockOwnerDeletion: bool | None = None


class ObjectMeta(KopsModel):
    """Name, labels and annotations of an object, as in every Kubernetes object.

    ``creationTimestamp`` is kept as the string it was written as (RFC 3339).
    """

    name: str | None = None
    generateName: str | None = None
    namespace: str | None = None
    selfLink: str | None = None
    uid: str | None = None
    resourceVersion: str | None = None
    generation: int | None = None
    creationTimestamp: str | None = None
    deletionTimestamp: str | None = None
    deletionGracePeriodSeconds: int | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    ownerReferences: list[OwnerReference] | None = None
    finalizers: list[str] | None = None
    managedFields: list[dict[str, Any]] | None = None
