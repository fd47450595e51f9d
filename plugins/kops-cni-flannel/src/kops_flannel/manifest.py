"""The ``networking.flannel`` add-on: Flannel's manifest rendered for one cluster."""

from __future__ import annotations

import json
from typing import Any

from kops_flannel import ADDON_NAME, ADDON_VERSION, FLANNEL_CNI_PLUGIN_IMAGE, FLANNEL_IMAGE


def addon(cluster: Any) -> Any:
    from kops.addons import Addon

    return Addon(name=ADDON_NAME, version=ADDON_VERSION, manifest=render(cluster),
                 selector={"role.kubernetes.io/networking": "1"})


def render(cluster: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_flannel", "flannel.yaml.j2", values(cluster), trim=False)


def values(cluster: Any) -> dict[str, Any]:
    flannel = cluster.spec.networking.flannel
    # flanneld hands each node a slice of this network; kops gives it the whole non-masquerade range, which
    # holds the pod CIDR the controller manager allocates node ranges from.
    net_conf = {"Network": cluster.spec.nonMasqueradeCIDR, "EnableNFTables": False,
                # flanneld itself falls back to UDP when no backend is named (validation asks for one).
                "Backend": {"Type": flannel.backend or "udp"}}
    return {
        "addon": ADDON_NAME,
        "image": FLANNEL_IMAGE,
        "cni_plugin_image": FLANNEL_CNI_PLUGIN_IMAGE,
        "net_conf": json.dumps(net_conf, indent=2),
        "iptables_resync": flannel.iptablesResyncSeconds or 5,
        # On SELinux hosts flanneld must run as a super-privileged container to manage the host's network.
        "selinux": bool(cluster.spec.containerd is not None and cluster.spec.containerd.selinuxEnabled),
    }
