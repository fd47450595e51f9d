"""``metrics-server.addons.k8s.io``: the resource metrics API (``kubectl top``, the horizontal pod autoscaler).

Two replicas spread over zones and hosts behind a disruption budget, registered with the aggregation layer.
By default (``insecure`` unset or true, upstream's rendering) it serves a self-signed certificate and does
not verify kubelets' serving certificates. With ``insecure: false`` cert-manager issues its serving
certificate and injects the CA into the APIService; kops-addons issues it from a self-signed Issuer of the
add-on's own, as the bootstrap channel has no cluster-CA issuer to offer.
"""

from __future__ import annotations

from typing import Any

from kops.addons import Addon, facts
from kops.addons.facts import section_enabled as is_enabled
from kops.addons.render import render
from kops.errors import FieldError

from kops_addons.common import cert_manager_enabled
from kops_addons.versions import METRICS_SERVER_IMAGE

NAME = "metrics-server.addons.k8s.io"
PATH = "spec.metricsServer"


def enabled(cluster: Any) -> bool:
    return is_enabled(cluster.spec.metricsServer)


def secure(cluster: Any) -> bool:
    return cluster.spec.metricsServer.insecure is False


def validate(cluster: Any) -> list[FieldError]:
    if enabled(cluster) and secure(cluster) and not cert_manager_enabled(cluster):
        return [FieldError(f"{PATH}.insecure", "a secure metrics-server needs cert-manager: set "
                                               "spec.certManager.enabled to true, or insecure to true")]
    return []


def addon(cluster: Any) -> Addon:
    config = cluster.spec.metricsServer
    image = config.image or METRICS_SERVER_IMAGE
    values = {
        "image": image,
        "secure": secure(cluster),
        # AWS nodes are named after their private DNS name, which kubelets' certificates carry; elsewhere, and on
        # IPv6-only clusters, the node's address is what reaches it.
        "address_type": "Hostname" if cluster.spec.cloudProvider == "aws" and not facts.ipv6_only(cluster)
        else "InternalIP",
    }
    return Addon(name=NAME, version=image.rpartition(":")[2],
                 manifest=render("kops_addons", "metrics-server.yaml.j2", values),
                 selector={"k8s-app": "metrics-server"})

