"""kindnet's defaults, as upstream kOps completes ``spec.networking.kindnet``."""

from __future__ import annotations

from typing import Any

from kops.inference import InferenceContext, rule, tree

#: The kindnet release kops installs unless ``spec.networking.kindnet.version`` says otherwise.
KINDNET_VERSION = "v1.0.1"


def defaults(spec: dict[str, Any]) -> dict[str, Any]:
    """The value of every field upstream defaults, by dotted path under ``spec.networking.kindnet``.

    With no ``masquerade`` section, an IPv4 cluster masquerades everything but its own ranges (the network,
    the pods, the services); an IPv6-only cluster masquerades nothing, and off AWS, which offers no NAT64 of
    its own, kindnet's NAT64 lets pods reach IPv4 addresses.
    """
    values: dict[str, Any] = {"version": KINDNET_VERSION, "fastPathThreshold": 0, "logLevel": 2}
    kindnet = (spec.get("networking") or {}).get("kindnet") or {}
    if kindnet.get("masquerade") is None:
        if ":" in str(spec.get("nonMasqueradeCIDR") or ""):
            values["masquerade"] = {"enabled": False}
            if spec.get("cloudProvider") != "aws":
                values["nat64"] = True
        else:
            own = [spec[k] for k in ("networkCIDR", "podCIDR", "serviceClusterIPRange") if spec.get(k)]
            values["masquerade"] = {"enabled": True, **({"nonMasqueradeCIDRs": own} if own else {})}
    return values


def kindnet_of(cluster: Any) -> Any:
    """The cluster's ``spec.networking.kindnet`` model, or None when kindnet is not its networking."""
    networking = cluster.spec.networking
    return networking.kindnet if networking is not None else None


def effective(cluster: Any) -> dict[str, Any]:
    """The cluster's kindnet settings with every default filled in, as a tree with upstream's field names."""
    spec = cluster.spec.to_dict()
    settings = spec["networking"]["kindnet"]
    for path, value in defaults(spec).items():
        tree.default(settings, path, value)
    return settings


@rule("complete", 30)
def kindnet_defaults(ctx: InferenceContext) -> None:
    """Fill ``spec.networking.kindnet`` once the cluster's pod and service ranges are known."""
    if ctx.get("spec.networking.kindnet") is None:
        return
    for path, value in defaults(ctx.spec).items():
        ctx.default("spec.networking.kindnet." + path, value)
