"""``certmanager.io``: cert-manager, which issues the serving certificates other add-ons' webhooks and APIs use.

Enabled by ``spec.certManager.enabled``. With ``managed: false`` the user runs cert-manager themselves: no
manifest is written, yet add-ons that need cert-manager (secure metrics-server, the snapshot controller, the
AWS load balancer controller) are allowed, since their Certificates and Issuers are served all the same.
The controller, cainjector and webhook run in kube-system on the control plane, as upstream kOps runs them;
the CRDs accept any object, cert-manager's webhook being what validates its kinds.

With ``hostedZoneIDs`` the controller solves DNS-01 challenges in those Route 53 zones, with the permissions of
its service account's own IAM role, so service accounts must have IAM roles of their own
(``spec.iam.useServiceAccountExternalPermissions``), as upstream requires.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, ServiceAccount
from kops.addons.facts import region
from kops.addons.render import render
from kops.errors import FieldError

from kops_addons.common import cert_manager_enabled
from kops_addons.versions import CERT_MANAGER_REGISTRY, CERT_MANAGER_VERSION

NAME = "certmanager.io"
#: The controller's service account, which writes DNS-01 challenge records in ``hostedZoneIDs``' zones.
SERVICE_ACCOUNT = ServiceAccount("kube-system", "cert-manager", {"aws": "cert-manager"})


def enabled(cluster: Any) -> bool:
    return cert_manager_enabled(cluster) and cluster.spec.certManager.managed is not False


def validate(cluster: Any) -> list[FieldError]:
    config = cluster.spec.certManager
    if not cert_manager_enabled(cluster) or not config.hostedZoneIDs:
        return []
    iam = cluster.spec.iam
    if iam is None or not iam.useServiceAccountExternalPermissions:
        return [FieldError("spec.certManager.hostedZoneIDs", "DNS-01 challenges need cert-manager's own IAM role: set "
                                                              "spec.iam.useServiceAccountExternalPermissions")]
    return []


def addon(cluster: Any) -> Addon:
    config = cluster.spec.certManager
    values = {
        "registry": CERT_MANAGER_REGISTRY,
        "version": CERT_MANAGER_VERSION,
        "nameservers": list(config.nameservers or []),
        "controller_args": _controller_args(config),
        "region": region(cluster) if cluster.spec.cloudProvider == "aws" else "",
    }
    return Addon(name=NAME, version=CERT_MANAGER_VERSION,
                 manifest=render("kops_addons", "cert-manager.yaml.j2", values),
                 service_accounts=[SERVICE_ACCOUNT] if config.hostedZoneIDs else [])


def _controller_args(config: Any) -> list[str]:
    """The controller's optional flags: a default ClusterIssuer for ingress-shim, and feature gates in name order."""
    args = []
    if config.defaultIssuer:
        args += [f"--default-issuer-name={config.defaultIssuer}", "--default-issuer-kind=ClusterIssuer",
                 "--default-issuer-group=cert-manager.io"]
    args += [f"--feature-gates={gate}={str(on).lower()}" for gate, on in sorted((config.featureGates or {}).items())]
    return args
