"""The ``networking.kuberouter`` add-on: kube-router's manifest rendered for one cluster."""

from __future__ import annotations

from typing import Any

from kops_kube_router import ADDON_NAME, DEFAULT_SERVICE_CLUSTER_IP_RANGE, KUBE_ROUTER_IMAGE, KUBE_ROUTER_VERSION


def addon(cluster: Any) -> Any:
    from kops.addons import Addon

    return Addon(name=ADDON_NAME, version=KUBE_ROUTER_VERSION, manifest=render(cluster),
                 selector={"role.kubernetes.io/networking": "1"})


def render(cluster: Any) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("kops_kube_router"), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    return env.get_template("kube-router.yaml.j2").render(values(cluster)).lstrip()


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
