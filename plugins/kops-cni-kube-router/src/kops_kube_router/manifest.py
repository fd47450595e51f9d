"""The ``networking.kuberouter`` add-on: kube-router's manifest rendered for one cluster."""

from __future__ import annotations

from typing import Any

from kops_kube_router import ADDON_NAME, DEFAULT_SERVICE_CLUSTER_IP_RANGE, KUBE_ROUTER_IMAGE, KUBE_ROUTER_VERSION


def addon(cluster: Any) -> Any:
    from kops.addons import Addon

    return Addon(name=ADDON_NAME, version=KUBE_ROUTER_VERSION, manifest=render(cluster),
                 selector={"role.kubernetes.io/networking": "1"})


def render(cluster: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_kube_router", "kube-router.yaml.j2", values(cluster), trim=False)


def values(cluster: Any) -> dict[str, Any]:
    kuberouter = cluster.spec.networking.kuberouter
    return {
        "addon": ADDON_NAME,
        "image": KUBE_ROUTER_IMAGE,
        # kube-router proxies the same range the API server hands service IPs from.
        "service_cluster_ip_range": cluster.spec.serviceClusterIPRange or DEFAULT_SERVICE_CLUSTER_IP_RANGE,
        "nftables_for_netpol": bool(kuberouter.useNFTablesForNetpol),
        # On SELinux hosts kube-router must run as a super-privileged container to manage the host's network.
        "selinux": bool(cluster.spec.containerd is not None and cluster.spec.containerd.selinuxEnabled),
    }
