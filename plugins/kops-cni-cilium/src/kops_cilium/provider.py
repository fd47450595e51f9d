"""The ``--networking cilium*`` choices: what ``kops create cluster`` writes for each."""

from __future__ import annotations

from typing import Any

from kops.networking import NetworkingProvider


class Cilium(NetworkingProvider):
    """Cilium replacing kube-proxy with its eBPF service load balancing, as upstream creates it."""

    spec_key = "cilium"

    def create_spec(self, ctx: Any) -> None:
        super().create_spec(ctx)
        # Cilium's node-port implementation takes over services, so kube-proxy must not run beside it.
        ctx.default("spec.kubeProxy.enabled", False)

    def initial_options(self, ctx: Any) -> dict[str, Any]:
        return {"enableNodePort": True}


class CiliumEtcd(Cilium):
    """Cilium with its kvstore in the ``cilium`` etcd cluster (core's create adds that cluster)."""

    def initial_options(self, ctx: Any) -> dict[str, Any]:
        return {**super().initial_options(ctx), "etcdManaged": True}


class CiliumENI(Cilium):
    """Cilium allocating pod addresses from AWS Elastic Network Interfaces."""

    clouds = ("aws",)

    def initial_options(self, ctx: Any) -> dict[str, Any]:
        return {**super().initial_options(ctx), "ipam": "eni"}
