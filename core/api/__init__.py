"""The kops API: ``kops.k8s.io/v1alpha2`` Cluster and InstanceGroup models, and the manifest codec.

Field names are upstream's JSON names, so ``cluster.spec.networking.calico`` reads as the YAML does.
"""

from .additional import AdditionalObject
from .base import KopsModel
from .cluster import Cluster
from .clusterspec import ClusterSpec
from .codec import KopsObject, dump_yaml, from_dict, load_objects, to_dict
from .errors import ManifestError
from .igspec import InstanceGroupSpec
from .instancegroup import InstanceGroup
from .meta import API_VERSION, ObjectMeta
from .schema import json_schema, manifest_schema
from .sections import SpecSection, spec_section
from .validation import validate

__all__ = [
    "API_VERSION",
    "AdditionalObject",
    "Cluster",
    "ClusterSpec",
    "InstanceGroup",
    "InstanceGroupSpec",
    "KopsModel",
    "KopsObject",
    "ManifestError",
    "ObjectMeta",
    "SpecSection",
    "dump_yaml",
    "from_dict",
    "json_schema",
    "load_objects",
    "manifest_schema",
    "spec_section",
    "to_dict",
    "validate",
]
