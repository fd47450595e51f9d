"""The ``kube-router`` networking provider chosen by ``kops create cluster --networking kube-router``."""

from __future__ import annotations

from typing import Any

from kops.networking import NetworkingProvider


class KubeRouter(NetworkingProvider):
    """kube-router proxies services itself, so a new cluster also gets kube-proxy switched off."""

    spec_key = "kuberouter"

    def create_spec(self, ctx: Any) -> None:
        super().create_spec(ctx)
        kube_proxy = ctx.spec.get("kubeProxy")
        if kube_proxy is None:
            kube_proxy = ctx.spec["kubeProxy"] = {}
        kube_proxy["enabled"] = False
