"""Complete-stage rule for containerd, the container runtime on every node."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule
from kops.inference.completion.facts import remap_image
from kops.inference.versions_data import (
    CONTAINERD_VERSION,
    GVISOR_PLATFORM,
    NVIDIA_DEVICE_PLUGIN_IMAGE,
    NVIDIA_DRIVER_PACKAGE,
    RUNC_VERSION,
    SANDBOX_IMAGE,
)


@rule("complete", 30)
def containerd(ctx: InferenceContext) -> None:
    p = "spec.containerd"
    ctx.default(p, {})
    if not ctx.get(f"{p}.version"):
        # runc is pinned only together with containerd: a user's containerd may bring its own runc.
        ctx.spec["containerd"]["version"] = CONTAINERD_VERSION
        ctx.default(f"{p}.runc.version", RUNC_VERSION)
    ctx.default(f"{p}.logLevel", "info")
    if not ctx.get(f"{p}.sandboxImage"):
        ctx.spec["containerd"]["sandboxImage"] = remap_image(ctx, SANDBOX_IMAGE)
    if ctx.get(f"{p}.nvidiaGPU.enabled"):
        ctx.default(f"{p}.nvidiaGPU.package", NVIDIA_DRIVER_PACKAGE)
        ctx.default(f"{p}.nvidiaGPU.image", NVIDIA_DEVICE_PLUGIN_IMAGE)
    if ctx.get(f"{p}.gvisor.enabled"):
        ctx.default(f"{p}.gvisor.platform", GVISOR_PLATFORM)
