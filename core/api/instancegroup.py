"""The ``InstanceGroup`` kind: a group of machines belonging to one cluster."""

from typing import Literal, Self

from pydantic import Field

from .base import KopsModel
from .igspec import InstanceGroupSpec
from .meta import GROUP, ObjectMeta

# The label that ties an instance group to its cluster; upstream sets it on every group it creates.
CLUSTER_LABEL = f"{GROUP}/cluster"


class InstanceGroup(KopsModel):
    """A ``kops.k8s.io/v1alpha2`` InstanceGroup, as users write it in their manifests."""

    apiVersion: Literal["kops.k8s.io/v1alpha2"] = "kops.k8s.io/v1alpha2"
    kind: Literal["InstanceGroup"] = "InstanceGroup"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: InstanceGroupSpec = Field(default_factory=InstanceGroupSpec)

    @classmethod
    def new(cls, name: str, cluster_name: str) -> Self:
        """An empty instance group called ``name``, labelled as belonging to ``cluster_name``."""
        return cls(metadata=ObjectMeta(name=name, labels={CLUSTER_LABEL: cluster_name}))

    @property
    def name(self) -> str:
        """``metadata.name``, or an empty string when unset."""
        return self.metadata.name or ""

    @property
    def cluster_name(self) -> str | None:
        """The cluster this group is labelled with, if any."""
        return (self.metadata.labels or {}).get(CLUSTER_LABEL)
