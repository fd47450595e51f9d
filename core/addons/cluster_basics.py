"""Two small add-ons every cluster gets: a default CPU request and the API server's access to kubelets.

``limit-range.addons.k8s.io`` gives containers in the ``default`` namespace that state no CPU request
one of 100m, so the scheduler accounts for them. ``kubelet-api.rbac.addons.k8s.io`` binds the user the
API server presents to kubelets (``kubelet-api``) to ``system:kubelet-api-admin``, which kubelets with
webhook authorization require for logs, exec and port-forward.
"""

from __future__ import annotations

from kops.addons import Addon
from kops.addons.render import render
from kops.addons.versions import KUBELET_API_RBAC_VERSION, LIMIT_RANGE_VERSION

LIMIT_RANGE = "limit-range.addons.k8s.io"
KUBELET_API_RBAC = "kubelet-api.rbac.addons.k8s.io"


def limit_range() -> Addon:
    return Addon(name=LIMIT_RANGE, version=LIMIT_RANGE_VERSION, manifest=render("kops.addons", "limit-range.yaml.j2", {}))


def kubelet_api_rbac() -> Addon:
    return Addon(name=KUBELET_API_RBAC, version=KUBELET_API_RBAC_VERSION,
                 manifest=render("kops.addons", "kubelet-api-rbac.yaml.j2", {}))
