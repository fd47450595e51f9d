"""The ``Cluster`` kind: one Kubernetes cluster's metadata and desired state."""

from typing import Literal, Self

from pydantic import Field

from .base import KopsModel
from .clusterspec import ClusterSpec
from .meta import ObjectMeta


class Cluster(KopsModel):
    """A ``kops.k8s.io/v1alpha2`` Cluster, as users write it in their manifests."""

    apiVersion: Literal["kops.k8s.io/v1alpha2"] = "kops.k8s.io/v1alpha2"
    kind: Literal["Cluster"] = "Cluster"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ClusterSpec = Field(default_factory=ClusterSpec)

    @classmethod
    def new(cls, name: str) -> Self:
        """An empty cluster called ``name`` (its DNS name, e.g. ``k8s.example.com``)."""
        return cls(metadata=ObjectMeta(name=name))

    @property
    def name(self) -> str:
        """``metadata.name``, or an empty string when unset."""
        return self.metadata.name or ""
