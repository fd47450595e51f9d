"""The custom attributes (vSphere's key/value fields on any inventory object) that mark what kops made.

A VM or folder is the cluster's when its ``kops.k8s.io/cluster`` attribute holds the cluster's name exactly. Only kops
sets these attributes (``spec.cloudLabels`` do not become attributes on vSphere), so nothing a user writes in a spec
can make another cluster's VMs look owned. The state store's ID is core's :data:`kops.ownership.STORE_TAG`.
"""

from __future__ import annotations

from kops.model import INSTANCE_GROUP_LABEL
from kops.ownership import STORE_TAG

#: Which cluster made the object (its name).
CLUSTER = "kops.k8s.io/cluster"
#: A VM's instance group, and its role (``ControlPlane``, ``Node``...).
INSTANCE_GROUP = INSTANCE_GROUP_LABEL
ROLE = "kops.k8s.io/role"
#: What a VM was made from: the hash of its group's configuration (see :mod:`kops_vsphere.tasks.virtual_machines`).
#: On a group's folder, the configuration the group makes VMs from now, as JSON with its hash.
SPEC = "kops.k8s.io/spec"
#: Every attribute kops defines, in the order they are made.
FIELDS = (CLUSTER, INSTANCE_GROUP, ROLE, SPEC, STORE_TAG)
