"""What the fake server knows about each kind: its names and scope, and the per-resource rules of the real API
server that clients can notice (which kinds have a ``status`` subresource, which return the deleted object, which
carry a ``metadata.generation``, which fields a list may select on)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    #: Learned from a CustomResourceDefinition: such kinds take no strategic merge patch, as on a real server.
    custom: bool = False

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """How error messages name the resource: ``pods``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


#: The built-in kinds served: (group, version, kind, plural, namespaced).
BUILTIN_KINDS = [
    ("", "v1", "Namespace", "namespaces", False),
    ("", "v1", "Node", "nodes", False),
    ("", "v1", "ServiceAccount", "serviceaccounts", True),
    ("", "v1", "ConfigMap", "configmaps", True),
    ("", "v1", "Secret", "secrets", True),
    ("", "v1", "Service", "services", True),
    ("", "v1", "Endpoints", "endpoints", True),
    ("", "v1", "LimitRange", "limitranges", True),
    ("", "v1", "ResourceQuota", "resourcequotas", True),
    ("", "v1", "Pod", "pods", True),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True),
    ("", "v1", "PersistentVolume", "persistentvolumes", False),
    ("apps", "v1", "Deployment", "deployments", True),
    ("apps", "v1", "DaemonSet", "daemonsets", True),
    ("apps", "v1", "StatefulSet", "statefulsets", True),
    ("apps", "v1", "ReplicaSet", "replicasets", True),
    ("batch", "v1", "Job", "jobs", True),
    ("batch", "v1", "CronJob", "cronjobs", True),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", False),
    ("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False),
    ("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False),
    ("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True),
    ("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    ("coordination.k8s.io", "v1", "Lease", "leases", True),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False),
    ("apiregistration.k8s.io", "v1", "APIService", "apiservices", False),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
     False),
]
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
VERBS = ["create", "delete", "get", "list", "patch", "update"]

#: Resources whose ``status`` is written only through ``/status``: writes to the object itself keep the old status,
#: and writes to ``/status`` change nothing else.
STATUS_SUBRESOURCE = {"namespaces", "nodes", "pods", "services", "persistentvolumeclaims", "persistentvolumes",
                      "deployments", "replicasets", "daemonsets", "statefulsets", "jobs", "cronjobs",
                      "poddisruptionbudgets", "customresourcedefinitions", "apiservices"}

#: Resources whose DELETE answers with the object itself; the others answer with a ``Status``.
RETURNS_DELETED_OBJECT = {"pods", "serviceaccounts", "persistentvolumeclaims", "persistentvolumes"}

#: Resources with a ``metadata.generation`` that counts changes to their spec.
HAS_GENERATION = {"deployments", "replicasets", "daemonsets", "statefulsets", "jobs", "cronjobs",
                  "poddisruptionbudgets", "customresourcedefinitions"}

#: Fields a ``fieldSelector`` may name beyond ``metadata.name`` and ``metadata.namespace``, by resource.
FIELD_LABELS = {
    "pods": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
             "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"),
    "nodes": ("spec.unschedulable",),
    "namespaces": ("status.phase",),
    "secrets": ("type",),
    "replicasets": ("status.replicas",),
}

#: Subresources listed by discovery next to their resource: (plural, subresource, kind, verbs, group, version).
#: ``pods/eviction`` names its own group and version, which is how clients learn that evictions are ``policy/v1``.
SUBRESOURCES = [
    ("pods", "eviction", "Eviction", ["create"], "policy", "v1"),
    *((plural, "status", "", ["get", "patch", "update"], "", "") for plural in sorted(STATUS_SUBRESOURCE)),
]
