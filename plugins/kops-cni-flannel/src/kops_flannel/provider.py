"""The ``flannel`` networking provider, registered as ``flannel``, ``flannel-vxlan`` and ``flannel-udp``."""

from __future__ import annotations

from typing import Any

from kops.networking import NetworkingProvider


class Flannel(NetworkingProvider):
    """The name chosen picks the backend: VXLAN unless ``flannel-udp`` was asked for."""

    spec_key = "flannel"

    def initial_options(self, ctx: Any) -> dict[str, Any]:
        if self.name == "flannel-udp":
            ctx.warnings.append("flannel UDP mode is not recommended; consider flannel-vxlan instead")
            return {"backend": "udp"}
        return {"backend": "vxlan"}
