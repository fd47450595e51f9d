"""Networking (CNI) provider drivers, chosen by ``--networking`` (entry-point group ``kops.networking``).

Core ships the providers that need no add-on of their own (kubenet, cni, external, gce); every other
CNI is a plugin distribution (``kops-calico``, ``kops-cilium``, ...). A provider is registered under
each name users may type, and is constructed with the name that chose it, so one class can serve
``flannel``, ``flannel-vxlan`` and ``flannel-udp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kops.errors import KopsError


@dataclass(frozen=True)
class FirewallRule:
    """Traffic a networking provider needs, in cloud-neutral terms (see the ``kops_firewall_rules`` hook)."""

    protocol: str  # "tcp", "udp", or an IP protocol name such as "ipip" or "esp"
    from_role: str  # "ControlPlane" or "Node"
    to_role: str
    port_from: int | None = None
    port_to: int | None = None
    description: str = ""


class NetworkingProvider:
    """One CNI choice. Subclasses set :attr:`spec_key` and override what they need."""

    #: The key under ``spec.networking`` (``calico``, ``amazonvpc``).
    spec_key: str = ""
    #: Clouds the provider works on; empty means all.
    clouds: tuple[str, ...] = ()

    def __init__(self, name: str):
        self.name = name

    def create_spec(self, ctx: Any) -> None:
        """Write the provider's section for a new cluster (``kops create cluster --networking NAME``)."""
        if self.clouds and ctx.cloud_name not in self.clouds:
            raise KopsError(f"--networking {self.name}: supported only on {', '.join(self.clouds)}, "
                            f"not on {ctx.cloud_name}")
        ctx.spec.setdefault("networking", {})[self.spec_key] = self.initial_options(ctx)

    def initial_options(self, ctx: Any) -> dict[str, Any]:
        return {}


class Kubenet(NetworkingProvider):
    spec_key = "kubenet"


class CNI(NetworkingProvider):
    """Bring your own CNI: kops installs none."""

    spec_key = "cni"


class External(NetworkingProvider):
    spec_key = "external"


class GCE(NetworkingProvider):
    """GCE's native routes (IP aliases)."""

    spec_key = "gce"
    clouds = ("gce",)


def provider_for(name: str) -> NetworkingProvider:
    """The provider registered as ``name``; a missing plugin is an error naming the distribution."""
    from kops.plugins import load_driver

    cls = load_driver("networking", name.lower())
    return cls(name.lower())
