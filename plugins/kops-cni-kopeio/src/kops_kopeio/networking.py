"""What kopeio networking needs from a cluster: no IPv6, its agent's add-on, and VXLAN between instances."""

from __future__ import annotations

from typing import Any

from kops.addons import Addon
from kops.errors import FieldError
from kops.networking import FirewallRule

PATH = "spec.networking.kopeio"
ADDON_NAME = "networking.kope.io"
SELECTOR = {"role.kubernetes.io/networking": "1"}
AGENT_IMAGE = "kopeio/networking-agent:1.0.20181028"
#: Bumped whenever the template changes for the same agent image.
TEMPLATE_REVISION = 1
#: The IANA VXLAN port, which the agent's tunnels use.
VXLAN_PORT = 4789
ROLES = ("ControlPlane", "Node")


def uses_kopeio(cluster: Any) -> bool:
    networking = cluster.spec.networking
    return networking is not None and networking.kopeio is not None


def validate(cluster: Any) -> list[FieldError]:
    if uses_kopeio(cluster) and ":" in (cluster.spec.nonMasqueradeCIDR or ""):
        return [FieldError(PATH, "kopeio networking does not support IPv6-only clusters")]
    return []


def addons(cluster: Any) -> list[Addon]:
    if not uses_kopeio(cluster):
        return []
    from kops.addons.render import render

    manifest = render("kops_kopeio", "kopeio.yaml.j2", {
        "image": AGENT_IMAGE,
        "labels": {"addon.kops.k8s.io/name": ADDON_NAME, "app.kubernetes.io/managed-by": "kops", **SELECTOR}})
    return [Addon(name=ADDON_NAME, version=f"{AGENT_IMAGE.rpartition(':')[2]}-kops.{TEMPLATE_REVISION}",
                  manifest=manifest, selector=dict(SELECTOR))]


def firewall_rules(cluster: Any) -> list[FirewallRule]:
    if not uses_kopeio(cluster):
        return []
    return [FirewallRule("udp", src, dst, VXLAN_PORT, VXLAN_PORT, "kopeio VXLAN tunnels")
            for src in ROLES for dst in ROLES]
